package io.genstream.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

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

  /**
   * Decodes a PNG of any colour type into {@code channels} planes: luma for 1 channel, R, G, B
   * for 3 (a gray PNG then gives three equal planes). Transparent pixels are composited over
   * black; 16-bit samples are reduced to 8.
   *
   * @throws InvalidImageException if the bytes are not a readable PNG, or it has more than
   *     {@link Png#MAX_PIXELS} pixels (refused from its header, before decoding), or
   *     holds colour when {@code channels} is 1
   * @throws IllegalArgumentException if {@code channels} is not 1 or 3
   */
  public static ImageTensor fromPng(byte[] png, int channels) {
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("images have 1 or 3 channels, got " + channels);
    }
    if (channels == 1) {
      GrayImage gray = Png.decode(png);
      return new ImageTensor(1, gray.height(), gray.width(), gray.pixels());
    }
    BufferedImage decoded = Png.read(png);
    int width = decoded.getWidth();
    int height = decoded.getHeight();
    int plane = height * width;
    byte[] chw = new byte[3 * plane];
    ColorModel model = decoded.getColorModel();
    Raster raster = decoded.getRaster();
    // The samples as stored, not Java2D's colour conversion: drawing a gray image onto an RGB
    // one treats gray as linear light and brightens it (gray 128 would come out near 186).
    int colours = model.getNumColorComponents();
    boolean direct = !(model instanceof IndexColorModel) && (colours == 1 || colours == 3);
    int[] samples = new int[raster.getNumBands()];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int r;
        int g;
        int b;
        int alpha;
        if (direct) {
          raster.getPixel(x, y, samples);
          r = eightBit(samples[0], model.getComponentSize(0));
          g = colours == 3 ? eightBit(samples[1], model.getComponentSize(1)) : r;
          b = colours == 3 ? eightBit(samples[2], model.getComponentSize(2)) : r;
          alpha = model.hasAlpha() ? eightBit(samples[colours], model.getComponentSize(colours)) : 255;
        } else { // a palette: its entries are sRGB already
          int argb = decoded.getRGB(x, y);
          alpha = argb >>> 24;
          r = (argb >> 16) & 0xFF;
          g = (argb >> 8) & 0xFF;
          b = argb & 0xFF;
        }
        int at = y * width + x;
        chw[at] = overBlack(r, alpha);
        chw[plane + at] = overBlack(g, alpha);
        chw[2 * plane + at] = overBlack(b, alpha);
      }
    }
    return new ImageTensor(3, height, width, chw);
  }

  private static int eightBit(int sample, int bits) {
    return bits > 8 ? sample >> (bits - 8) : bits < 8 ? sample * 255 / ((1 << bits) - 1) : sample;
  }

  private static byte overBlack(int value, int alpha) {
    return (byte) ((value * alpha + 127) / 255);
  }

  /**
   * The values in [-1, 1], the range the models take and give ({@code 0 → -1},
   * {@code 255 → 1}), CHW: the inverse of {@link #fromSymmetricUnit} up to rounding.
   */
  public float[] toSymmetricUnit() {
    float[] values = new float[chw.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = (chw[i] & 0xFF) / 127.5f - 1f;
    }
    return values;
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

  /**
   * PNG bytes as {@link #toPng()} gives, but with the image data stored, not deflated: about a
   * tenth of the encoding time for a small image, where deflate's fixed cost outweighs its gain.
   * For images that travel through a compressed channel (a compressed Kafka producer compresses
   * the batch, raw pixels better than deflated ones); any PNG reader reads them.
   */
  public byte[] toUncompressedPng() {
    if (channels == 1) {
      return PngWriter.gray(width, height, chw, false);
    }
    return PngWriter.rgbFromPlanes(width, height, chw, false);
  }

  /** PNG bytes: 8-bit gray for 1 channel, 8-bit RGB for 3. */
  public byte[] toPng() {
    if (channels == 1) {
      return Png.encode(toGray());
    }
    return PngWriter.rgbFromPlanes(width, height, chw);
  }
}
