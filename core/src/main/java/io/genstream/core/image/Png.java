package io.genstream.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * PNG encoding (gray, RGB: a small writer of our own) and decoding (to gray here, to gray or RGB in
 * {@link ImageTensor#fromPng}) with the JDK's ImageIO.
 */
public final class Png {

  /** The eight bytes every PNG starts with; package-private, arrays are mutable. */
  static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  /**
   * Most pixels a PNG may have to be decoded (4096 × 4096): larger ones are refused from their
   * header, before anything is allocated, since a few hundred bytes of PNG can claim a size
   * whose decoding exhausts any heap.
   */
  public static final long MAX_PIXELS = 4096L * 4096L;

  private Png() {}

  /** A copy of the eight bytes every PNG starts with. */
  public static byte[] signature() {
    return SIGNATURE.clone();
  }

  /** Whether {@code bytes} start with the PNG signature (a cheap check; decoding may still fail). */
  public static boolean hasSignature(byte[] bytes) {
    if (bytes == null || bytes.length < SIGNATURE.length) {
      return false;
    }
    for (int i = 0; i < SIGNATURE.length; i++) {
      if (bytes[i] != SIGNATURE[i]) {
        return false;
      }
    }
    return true;
  }

  /** An 8-bit gray PNG of the image. */
  public static byte[] encode(GrayImage image) {
    return PngWriter.gray(image.width(), image.height(), image.pixels());
  }

  /** An image's width and height in pixels; {@code toString} is {@code WxH}. */
  public record Size(int width, int height) {
    @Override
    public String toString() {
      return width + "x" + height;
    }
  }

  /**
   * The size a PNG declares in its header, read without decoding anything else: a check of the
   * size costs nothing, before decoding allocates for the pixels.
   *
   * @throws InvalidImageException if the bytes do not start with a PNG signature and header
   */
  public static Size size(byte[] bytes) {
    checkSignature(bytes);
    // Signature (8 bytes), then the IHDR chunk: length (4), type "IHDR" (4), width, height
    // (4 bytes each, big-endian, 1..2^31-1).
    if (bytes.length < 24 || bytes[12] != 'I' || bytes[13] != 'H' || bytes[14] != 'D'
        || bytes[15] != 'R') {
      throw new InvalidImageException("corrupt PNG: no IHDR header");
    }
    int width = ByteBuffer.wrap(bytes, 16, 4).getInt();
    int height = ByteBuffer.wrap(bytes, 20, 4).getInt();
    if (width <= 0 || height <= 0) {
      throw new InvalidImageException("corrupt PNG: size " + width + "x" + height);
    }
    return new Size(width, height);
  }

  /**
   * Decodes a gray PNG (gray, gray with alpha, or any colour type whose pixels are all gray).
   * A colour image is refused, not converted: a model of gray images should not silently train
   * on the luma of colour ones.
   *
   * @throws InvalidImageException if the bytes are not a readable PNG, have more than
   *     {@link #MAX_PIXELS} pixels, or hold colour
   */
  public static GrayImage decode(byte[] bytes) {
    BufferedImage decoded = read(bytes);
    int width = decoded.getWidth();
    int height = decoded.getHeight();
    if (decoded.getType() == BufferedImage.TYPE_BYTE_GRAY) {
      byte[] data = ((DataBufferByte) decoded.getRaster().getDataBuffer()).getData();
      return new GrayImage(width, height, data.clone());
    }
    byte[] pixels = new byte[width * height];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        int argb = decoded.getRGB(x, y);
        int alpha = argb >>> 24;
        int r = (argb >> 16) & 0xFF;
        int g = (argb >> 8) & 0xFF;
        int b = argb & 0xFF;
        if (r != g || g != b) {
          throw new InvalidImageException("PNG is a colour image (pixel " + x + "," + y
              + " is RGB " + r + "," + g + "," + b + "); this takes gray images");
        }
        pixels[y * width + x] = (byte) (r * alpha / 255); // over black, like a gray model sees it
      }
    }
    return new GrayImage(width, height, pixels);
  }

  /**
   * Any PNG ImageIO can read, as it decoded it (any colour type, bit depth, alpha), once its
   * header said it has at most {@link #MAX_PIXELS} pixels.
   *
   * @throws InvalidImageException if the bytes are not a readable PNG or are too large
   */
  static BufferedImage read(byte[] bytes) {
    checkSignature(bytes);
    Size size = size(bytes);
    if ((long) size.width() * size.height() > MAX_PIXELS) {
      throw new InvalidImageException("PNG is " + size + ", more than the " + MAX_PIXELS
          + " pixels an image may have; refused from its header, before decoding");
    }
    BufferedImage decoded;
    try {
      // ImageIO.read closes the stream it is given.
      decoded = ImageIO.read(new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes)));
    } catch (IOException | RuntimeException e) {
      throw new InvalidImageException("corrupt PNG: " + e.getMessage());
    }
    if (decoded == null) {
      throw new InvalidImageException("corrupt PNG: no image decoded");
    }
    return decoded;
  }

  private static void checkSignature(byte[] bytes) {
    if (!hasSignature(bytes)) {
      throw new InvalidImageException("not a PNG: " + (bytes == null || bytes.length < SIGNATURE.length
          ? (bytes == null ? 0 : bytes.length) + " bytes" : "bad signature"));
    }
  }
}
