package io.genstream.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;

/**
 * One 8-bit image in a generator's layout: {@code channels × height × width} bytes, channel
 * planes one after another (CHW), 1 channel (gray) or 3 (RGB). This is the {@code raw} result
 * format as it travels, and what PNG encoding starts from.
 *
 * <p>The byte array is not copied; treat it as immutable once the image is built.
 */
public record ImageTensor(int channels, int height, int width, byte[] chw) {

  public ImageTensor {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("images have 1 or 3 channels, got " + channels);
    }
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if (chw.length != channels * height * width) {
      throw new IllegalArgumentException("expected " + channels * height * width + " bytes for "
          + channels + "x" + height + "x" + width + ", got " + chw.length);
    }
  }

  /**
   * From generator output in [-1, 1] (tanh range), clamped and rounded: {@code -1 → 0},
   * {@code 1 → 255}; {@code offset} is where the image starts in {@code values}.
   */
  public static ImageTensor fromSymmetricUnit(float[] values, int offset, int channels, int height,
      int width) {
    byte[] bytes = new byte[channels * height * width];
    for (int i = 0; i < bytes.length; i++) {
      float v = (values[offset + i] + 1f) * 127.5f;
      bytes[i] = (byte) Math.round(Math.max(0f, Math.min(255f, v)));
    }
    return new ImageTensor(channels, height, width, bytes);
  }

  /** The shape as the {@code ce_shape} attribute writes it: {@code "C,H,W"}. */
  public String shape() {
    return channels + "," + height + "," + width;
  }

  /** A gray image (1 channel only). */
  public GrayImage toGray() {
    if (channels != 1) {
      throw new UnsupportedOperationException("a " + channels + "-channel image is not gray");
    }
    return new GrayImage(width, height, chw);
  }

  /** PNG bytes: 8-bit gray for 1 channel, 8-bit RGB for 3. */
  public byte[] toPng() {
    if (channels == 1) {
      return Png.encode(toGray());
    }
    BufferedImage rgb = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
    WritableRaster raster = rgb.getRaster();
    int plane = height * width;
    int[] pixel = new int[3];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int at = y * width + x;
        pixel[0] = chw[at] & 0xFF;
        pixel[1] = chw[plane + at] & 0xFF;
        pixel[2] = chw[2 * plane + at] & 0xFF;
        raster.setPixel(x, y, pixel); // the raster's bands are R, G, B whatever the byte order
      }
    }
    return Png.encode(rgb);
  }
}
