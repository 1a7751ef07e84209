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

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

  private Png() {}

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
   * Decodes a PNG of any colour type into grayscale (luma).
   *
   * @throws InvalidImageException if the bytes are not a readable PNG
   */
  public static GrayImage decode(byte[] bytes) {
    BufferedImage decoded = read(bytes);
    int width = decoded.getWidth();
    int height = decoded.getHeight();
    BufferedImage gray = decoded;
    if (decoded.getType() != BufferedImage.TYPE_BYTE_GRAY) {
      gray = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
      gray.getGraphics().drawImage(decoded, 0, 0, null);
    }
    byte[] data = ((DataBufferByte) gray.getRaster().getDataBuffer()).getData();
    return new GrayImage(width, height, data.clone());
  }

  /**
   * Any PNG ImageIO can read, as it decoded it (any colour type, bit depth, alpha).
   *
   * @throws InvalidImageException if the bytes are not a readable PNG
   */
  static BufferedImage read(byte[] bytes) {
    checkSignature(bytes);
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
