package io.genstream.ingest;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/** Real files for source tests, written where the test says. */
public final class TestFiles {

  private TestFiles() {}

  /** A noisy image (so that PNGs do not compress to nothing) of the given type. */
  public static BufferedImage noise(int width, int height, int type, long seed) {
    BufferedImage image = new BufferedImage(width, height, type);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, random.nextInt(0x1000000));
      }
    }
    return image;
  }

  public static Path write(BufferedImage image, String format, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    if (!ImageIO.write(image, format, file.toFile())) {
      throw new IOException("no ImageIO writer for " + format + " and image type " + image.getType());
    }
    return file;
  }

  /** The image in {@code format}, as ImageIO writes it. */
  public static byte[] encode(BufferedImage image, String format) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (!ImageIO.write(image, format, out)) {
      throw new IOException("no ImageIO writer for " + format + " and image type " + image.getType());
    }
    return out.toByteArray();
  }

  /** The PNG signature and an IHDR chunk (correct CRC) claiming {@code width × height}, nothing else. */
  public static byte[] pngHeaderOnly(int width, int height) {
    ByteBuffer chunk = ByteBuffer.allocate(4 + 13);
    chunk.put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    chunk.putInt(width).putInt(height);
    chunk.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0); // 8-bit RGB
    CRC32 crc = new CRC32();
    crc.update(chunk.array());
    ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
    png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
    png.putInt(13).put(chunk.array()).putInt((int) crc.getValue());
    return png.array();
  }

  /** An IDX image file: magic 0x803, count, rows, columns, then {@code pixels}. */
  public static byte[] idxImages(int declaredCount, int rows, int columns, byte[] pixels) {
    ByteBuffer buffer = ByteBuffer.allocate(16 + pixels.length);
    buffer.putInt(0x803).putInt(declaredCount).putInt(rows).putInt(columns).put(pixels);
    return buffer.array();
  }

  /** An IDX label file: magic 0x801, count, then {@code labels}. */
  public static byte[] idxLabels(int declaredCount, byte[] labels) {
    ByteBuffer buffer = ByteBuffer.allocate(8 + labels.length);
    buffer.putInt(0x801).putInt(declaredCount).put(labels);
    return buffer.array();
  }

  public static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }
}
