package io.genstream.ingest.video;

import io.genstream.core.image.Png;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * Splits a byte stream of concatenated PNGs ({@code ffmpeg -f image2pipe -vcodec png -}) into
 * single PNGs by walking the chunk structure: the 8-byte signature, then chunks of length, type,
 * data and CRC up to {@code IEND}. No decoding happens here.
 *
 * <p>Memory is bounded: a PNG is buffered only up to {@code maxPngBytes}; one that declares more
 * is refused from its chunk header, and the rest of it is skipped without being kept. A corrupt
 * stretch (a bad chunk length or type, a CRC mismatch, bytes that are no PNG, a PNG cut off by
 * the end of the stream) becomes one {@link Piece.Garbage} carrying its first
 * {@code keepBytes} bytes, and reading resumes at the next PNG signature — also one that lies
 * inside the bytes of the broken PNG, such as the start of the next frame after a truncated one.
 *
 * <p>Not thread-safe; reads block on the stream, which the caller owns and closes.
 */
public final class PngStreamSplitter {

  /** 8 MiB: far above a 1024×1024 RGB frame, far below a heap's worth. */
  public static final int DEFAULT_MAX_PNG_BYTES = 8 * 1024 * 1024;

  static final byte[] SIGNATURE = Png.signature();

  /** What the splitter found next. */
  public sealed interface Piece permits Piece.Png, Piece.Garbage {
    /** One complete PNG, chunk structure and CRCs checked. */
    record Png(byte[] bytes) implements Piece {}

    /**
     * A stretch that is no usable PNG: why, its first bytes (at most {@code keepBytes}), and how
     * long it was.
     */
    record Garbage(String reason, byte[] head, long length) implements Piece {}
  }

  private final InputStream in;
  private final int maxPngBytes;
  private final int keepBytes;
  /** Bytes read but to be read again: where a resync found a signature inside a broken PNG. */
  private byte[] replay = new byte[0];
  private int replayAt;
  private long offset;

  /**
   * @param in the stream, read with single-byte and small reads: buffer it
   * @param maxPngBytes largest PNG accepted, in bytes
   * @param keepBytes most bytes of a corrupt stretch kept for its dead letter
   */
  public PngStreamSplitter(InputStream in, int maxPngBytes, int keepBytes) {
    if (maxPngBytes < 64) {
      throw new IllegalArgumentException("maxPngBytes must be >= 64, got " + maxPngBytes);
    }
    if (keepBytes < 0) {
      throw new IllegalArgumentException("keepBytes must be >= 0, got " + keepBytes);
    }
    this.in = in;
    this.maxPngBytes = maxPngBytes;
    this.keepBytes = keepBytes;
  }

  /** Bytes consumed so far. */
  public long offset() {
    return offset;
  }

  /**
   * The next PNG or corrupt stretch; null at the end of the stream.
   *
   * @throws IOException if reading fails (not for corrupt content)
   */
  public Piece next() throws IOException {
    int first = read();
    if (first < 0) {
      return null;
    }
    unread(new byte[] {(byte) first}, 0);
    ByteArrayOutputStream png = new ByteArrayOutputStream(4096);
    String problem = readPng(png);
    if (problem == null) {
      return new Piece.Png(png.toByteArray());
    }
    return garbage(problem, png.toByteArray());
  }

  /** Reads one PNG into {@code png}; null when complete, else what is wrong with it. */
  private String readPng(ByteArrayOutputStream png) throws IOException {
    byte[] signature = readUpTo(SIGNATURE.length);
    png.writeBytes(signature);
    if (!Arrays.equals(signature, SIGNATURE)) {
      return signature.length < SIGNATURE.length && startsSignature(signature)
          ? "truncated PNG: the stream ended inside the signature"
          : "not a PNG signature at byte " + (offset - signature.length);
    }
    CRC32 crc = new CRC32();
    boolean first = true;
    while (true) {
      byte[] header = readUpTo(8);
      png.writeBytes(header);
      if (header.length < 8) {
        return "truncated PNG: the stream ended after " + png.size() + " bytes, before IEND";
      }
      long length = Integer.toUnsignedLong(
          (header[0] & 0xFF) << 24 | (header[1] & 0xFF) << 16 | (header[2] & 0xFF) << 8 | header[3] & 0xFF);
      String type = new String(header, 4, 4, java.nio.charset.StandardCharsets.ISO_8859_1);
      if (!type.chars().allMatch(c -> (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return "corrupt PNG: chunk type is not 4 letters after " + (png.size() - 8) + " bytes";
      }
      if (first && !type.equals("IHDR")) {
        return "corrupt PNG: the first chunk is " + type + ", not IHDR";
      }
      first = false;
      if (length > Integer.MAX_VALUE || png.size() + length + 4 > maxPngBytes) {
        return "PNG larger than the limit of " + maxPngBytes + " bytes (chunk " + type + " of "
            + length + " bytes after " + (png.size() - 8) + " bytes)";
      }
      byte[] dataAndCrc = readUpTo((int) length + 4);
      png.writeBytes(dataAndCrc);
      if (dataAndCrc.length < length + 4) {
        return "truncated PNG: the stream ended inside chunk " + type;
      }
      crc.reset();
      crc.update(header, 4, 4);
      crc.update(dataAndCrc, 0, (int) length);
      long stored = Integer.toUnsignedLong((dataAndCrc[(int) length] & 0xFF) << 24
          | (dataAndCrc[(int) length + 1] & 0xFF) << 16 | (dataAndCrc[(int) length + 2] & 0xFF) << 8
          | dataAndCrc[(int) length + 3] & 0xFF);
      if (crc.getValue() != stored) {
        return "corrupt PNG: CRC mismatch in chunk " + type;
      }
      if (type.equals("IEND")) {
        return null;
      }
    }
  }

  /**
   * Turns a failed read into one corrupt stretch: the bytes read of it from the second on are
   * searched for a signature (and replayed from there), else the stream is skipped up to the next
   * one, keeping only the first {@code keepBytes}.
   */
  private Piece garbage(String reason, byte[] read) throws IOException {
    int resync = indexOf(read, 1);
    if (resync >= 0) {
      unread(read, resync);
      return new Piece.Garbage(reason, Arrays.copyOf(read, Math.min(resync, keepBytes)), resync);
    }
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    head.write(read, 0, Math.min(read.length, keepBytes));
    long length = read.length;
    // Match the signature across the boundary: the last 7 bytes read may begin it.
    int matched = suffixMatch(read);
    while (true) {
      int b = read();
      if (b < 0) {
        return new Piece.Garbage(reason, head.toByteArray(), length);
      }
      length++;
      if (head.size() < keepBytes) {
        head.write(b);
      }
      matched = advance(matched, (byte) b);
      if (matched == SIGNATURE.length) {
        length -= SIGNATURE.length;
        unread(SIGNATURE, 0);
        byte[] kept = head.toByteArray();
        return new Piece.Garbage(reason, Arrays.copyOf(kept, (int) Math.min(kept.length, length)),
            length);
      }
    }
  }

  /** The signature matcher's next state (the signature has no proper border: restart simply). */
  private static int advance(int matched, byte b) {
    if (SIGNATURE[matched] == b) {
      return matched + 1;
    }
    return SIGNATURE[0] == b ? 1 : 0;
  }

  /** How many leading signature bytes the end of {@code bytes} holds (0..7). */
  private static int suffixMatch(byte[] bytes) {
    for (int n = Math.min(SIGNATURE.length - 1, bytes.length); n > 0; n--) {
      if (Arrays.equals(bytes, bytes.length - n, bytes.length, SIGNATURE, 0, n)) {
        return n;
      }
    }
    return 0;
  }

  private static boolean startsSignature(byte[] bytes) {
    return Arrays.equals(bytes, 0, bytes.length, SIGNATURE, 0, bytes.length);
  }

  /** Where the signature next starts in {@code bytes} at or after {@code from}; -1 if nowhere. */
  static int indexOf(byte[] bytes, int from) {
    outer:
    for (int i = from; i <= bytes.length - SIGNATURE.length; i++) {
      for (int j = 0; j < SIGNATURE.length; j++) {
        if (bytes[i + j] != SIGNATURE[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private void unread(byte[] bytes, int from) {
    byte[] rest = Arrays.copyOfRange(replay, replayAt, replay.length);
    byte[] joined = new byte[bytes.length - from + rest.length];
    System.arraycopy(bytes, from, joined, 0, bytes.length - from);
    System.arraycopy(rest, 0, joined, bytes.length - from, rest.length);
    replay = joined;
    replayAt = 0;
    offset -= bytes.length - from;
  }

  private int read() throws IOException {
    if (replayAt < replay.length) {
      offset++;
      return replay[replayAt++] & 0xFF;
    }
    int b = in.read();
    if (b >= 0) {
      offset++;
    }
    return b;
  }

  /** Up to {@code n} bytes; fewer only at the end of the stream. */
  private byte[] readUpTo(int n) throws IOException {
    byte[] bytes = new byte[n];
    int filled = 0;
    while (filled < n && replayAt < replay.length) {
      bytes[filled++] = replay[replayAt++];
    }
    if (filled < n) {
      filled += in.readNBytes(bytes, filled, n - filled);
    }
    offset += filled;
    return filled == n ? bytes : Arrays.copyOf(bytes, filled);
  }
}
