package io.genstream.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/** PNG encoding (gray, RGB) and decoding (to gray) with the JDK's ImageIO. */
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

  /**
   * Decodes a PNG of any colour type into grayscale (luma).
   *
   * @throws InvalidImageException if the bytes are not a readable PNG
   */
  public static GrayImage decode(byte[] bytes) {
    if (!hasSignature(bytes)) {
      throw new InvalidImageException("not a PNG: " + (bytes == null || bytes.length < SIGNATURE.length
          ? (bytes == null ? 0 : bytes.length) + " bytes" : "bad signature"));
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
}
