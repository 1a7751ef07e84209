package io.genstream.core.image;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.Adler32;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A minimal PNG encoder for 8-bit gray and RGB: one IHDR, one IDAT, one IEND, no filtering,
 * fastest deflate. Generated images are small, and ImageIO's writer costs several times more
 * per image (writer lookup, metadata, adaptive filtering) than the deflate itself: at thousands
 * of images a second that was a tenth of a core. Readers see an ordinary PNG.
 */
final class PngWriter {

  private static final int GRAY = 0;
  private static final int RGB = 2;

  private PngWriter() {}

  /** {@code pixels}: row-major, one byte per pixel. */
  static byte[] gray(int width, int height, byte[] pixels) {
    return gray(width, height, pixels, true);
  }

  /** With {@code deflate} false the image data is stored, not compressed (see {@link #png}). */
  static byte[] gray(int width, int height, byte[] pixels, boolean deflate) {
    byte[] scanlines = new byte[height * (width + 1)];
    for (int y = 0; y < height; y++) {
      // Filter byte 0 (none), then the row.
      System.arraycopy(pixels, y * width, scanlines, y * (width + 1) + 1, width);
    }
    return png(width, height, GRAY, scanlines, deflate);
  }

  /** {@code chw}: three planes (R, G, B), each row-major. */
  static byte[] rgbFromPlanes(int width, int height, byte[] chw) {
    return rgbFromPlanes(width, height, chw, true);
  }

  static byte[] rgbFromPlanes(int width, int height, byte[] chw, boolean deflate) {
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
    return png(width, height, RGB, scanlines, deflate);
  }

  /**
   * @param deflate false: the zlib stream holds the scanlines in stored blocks. Deflating has a
   *     fixed cost per image (building its Huffman tables) of some 20 µs on a slow core, more
   *     than decoding a 28×28 PNG takes, and gains little on a small image that a compressed
   *     channel (a compressed Kafka producer) carries anyway.
   */
  private static byte[] png(int width, int height, int colourType, byte[] scanlines,
      boolean deflate) {
    byte[] zlib;
    int length;
    if (deflate) {
      Deflater deflater = new Deflater(Deflater.BEST_SPEED);
      try {
        deflater.setInput(scanlines);
        deflater.finish();
        zlib = new byte[scanlines.length + scanlines.length / 1000 + 64];
        length = 0;
        while (!deflater.finished()) {
          if (length == zlib.length) {
            zlib = java.util.Arrays.copyOf(zlib, zlib.length * 2);
          }
          length += deflater.deflate(zlib, length, zlib.length - length);
        }
      } finally {
        deflater.end();
      }
    } else {
      zlib = stored(scanlines);
      length = zlib.length;
    }
    // Written straight into one array of its exact size: for small images the copies and
    // buffer growth of a stream cost more than the checksums.
    ByteBuffer out = ByteBuffer.allocate(Png.SIGNATURE.length + (12 + 13) + (12 + length) + 12);
    out.put(Png.SIGNATURE);
    int ihdr = startChunk(out, "IHDR", 13);
    out.putInt(width).putInt(height)
        .put((byte) 8)           // bit depth
        .put((byte) colourType)
        .put((byte) 0)           // deflate
        .put((byte) 0)           // adaptive filtering (each row says which; ours: none)
        .put((byte) 0);          // not interlaced
    endChunk(out, ihdr);
    int idat = startChunk(out, "IDAT", length);
    out.put(zlib, 0, length);
    endChunk(out, idat);
    endChunk(out, startChunk(out, "IEND", 0));
    return out.array();
  }

  /** A zlib stream (RFC 1950) of stored deflate blocks (RFC 1951, 3.2.4) holding {@code data}. */
  private static byte[] stored(byte[] data) {
    int blocks = Math.max(1, (data.length + MAX_STORED - 1) / MAX_STORED);
    ByteBuffer out = ByteBuffer.allocate(2 + 5 * blocks + data.length + 4);
    out.put((byte) 0x78).put((byte) 0x01); // deflate, 32 KiB window; check bits for 0x7801
    for (int block = 0, at = 0; block < blocks; block++) {
      int length = Math.min(MAX_STORED, data.length - at);
      out.put((byte) (block == blocks - 1 ? 1 : 0)); // BFINAL on the last, BTYPE 00 (stored)
      out.put((byte) length).put((byte) (length >>> 8));
      out.put((byte) ~length).put((byte) (~length >>> 8));
      out.put(data, at, length);
      at += length;
    }
    Adler32 adler = new Adler32();
    adler.update(data);
    out.putInt((int) adler.getValue());
    return out.array();
  }

  /** Writes a chunk's length and type; returns where its type starts, for {@link #endChunk}. */
  private static int startChunk(ByteBuffer out, String type, int length) {
    out.putInt(length);
    int typeAt = out.position();
    out.put(type.getBytes(StandardCharsets.US_ASCII));
    return typeAt;
  }

  /** The CRC of the chunk's type and data, which end at the buffer's position. */
  private static void endChunk(ByteBuffer out, int typeAt) {
    CRC32 crc = new CRC32();
    crc.update(out.array(), typeAt, out.position() - typeAt);
    out.putInt((int) crc.getValue());
  }

  private static final int MAX_STORED = 65535;

}
