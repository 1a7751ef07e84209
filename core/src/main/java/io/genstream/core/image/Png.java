package io.genstream.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * PNG encoding (gray, RGB) and decoding (to gray here, to gray or RGB in
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

  public static byte[] encode(GrayImage image) {
    BufferedImage buffered =
        new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_BYTE_GRAY);
    byte[] target = ((DataBufferByte) buffered.getRaster().getDataBuffer()).getData();
    System.arraycopy(image.pixels(), 0, target, 0, target.length);
    return encode(buffered);
  }

  /** PNG bytes of any {@link BufferedImage} ImageIO can write (gray, RGB). */
  public static byte[] encode(BufferedImage buffered) {
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(buffered.getWidth() * buffered.getHeight() / 2 + 128);
    ImageWriter writer = ImageIO.getImageWritersByFormatName("png").next();
    // A memory cache, not ImageIO's default file cache: that would create a temporary file per
    // image (slow at thousands of images a second, and closed by ImageIO's own shutdown hook).
    try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
      writer.setOutput(stream);
      writer.write(buffered);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in-memory stream: cannot happen
    } finally {
      writer.dispose();
    }
    return out.toByteArray();
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
