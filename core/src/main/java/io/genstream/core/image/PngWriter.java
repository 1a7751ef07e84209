package io.genstream.core.image;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG encoder for 8-bit gray and RGB: one IHDR, one IDAT, one IEND, no filtering,
 * fastest deflate. Generated images are small, and ImageIO's writer costs several times more
 * per image (writer lookup, metadata, adaptive filtering) than the deflate itself: at thousands
 * of images a second that was a tenth of a core. Readers see an ordinary PNG.
 */
final class PngWriter {

  private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  private static final int GRAY = 0;
  private static final int RGB = 2;

  private PngWriter() {}

  /** {@code pixels}: row-major, one byte per pixel. */
  static byte[] gray(int width, int height, byte[] pixels) {
    byte[] scanlines = new byte[height * (width + 1)];
    for (int y = 0; y < height; y++) {
      // Filter byte 0 (none), then the row.
      System.arraycopy(pixels, y * width, scanlines, y * (width + 1) + 1, width);
    }
    return png(width, height, GRAY, scanlines);
  }

  /** {@code chw}: three planes (R, G, B), each row-major. */
  static byte[] rgbFromPlanes(int width, int height, byte[] chw) {
    int plane = width * height;
    int stride = 3 * width + 1;
    byte[] scanlines = new byte[height * stride];
    for (int y = 0; y < height; y++) {
      int row = y * stride + 1;
      for (int x = 0; x < width; x++) {
        int at = y * width + x;
        scanlines[row + 3 * x] = chw[at];
        scanlines[row + 3 * x + 1] = chw[plane + at];
        scanlines[row + 3 * x + 2] = chw[2 * plane + at];
      }
    }
    return png(width, height, RGB, scanlines);
  }

  private static byte[] png(int width, int height, int colourType, byte[] scanlines) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(scanlines.length / 2 + 64);
    out.writeBytes(SIGNATURE);
    ByteBuffer header = ByteBuffer.allocate(13)
        .putInt(width).putInt(height)
        .put((byte) 8)           // bit depth
        .put((byte) colourType)
        .put((byte) 0)           // deflate
        .put((byte) 0)           // adaptive filtering (each row says which; ours: none)
        .put((byte) 0);          // not interlaced
    chunk(out, "IHDR", header.array(), header.array().length);
    Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    try {
      deflater.setInput(scanlines);
      deflater.finish();
      byte[] compressed = new byte[scanlines.length + scanlines.length / 1000 + 64];
      int length = 0;
      while (!deflater.finished()) {
        if (length == compressed.length) {
          compressed = java.util.Arrays.copyOf(compressed, compressed.length * 2);
        }
        length += deflater.deflate(compressed, length, compressed.length - length);
      }
      chunk(out, "IDAT", compressed, length);
    } finally {
      deflater.end();
    }
    chunk(out, "IEND", new byte[0], 0);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int length) {
    byte[] typeBytes = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data, 0, length);
    out.writeBytes(ByteBuffer.allocate(4).putInt(length).array());
    out.writeBytes(typeBytes);
    out.write(data, 0, length);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }
}
