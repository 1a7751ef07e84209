package io.genstream.ingest;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a folder ingest already sent, so that a rerun after an interruption does not send it
 * again: a text file with one SHA-256 content hash (64 hex digits) per line, the hash of a file
 * whose record (image or dead letter) the broker acknowledged.
 *
 * <p>A line is appended and flushed to the operating system right after each acknowledgement
 * ({@link #recordAcknowledged}); a crash between the acknowledgement and the write means that
 * one file is sent again on the rerun (at least once, never lost). A line that is not 64 hex
 * digits (a last line torn by a crash) is ignored, and the next write starts on a new line.
 *
 * <p><b>Epochs.</b> An ingest of several epochs ({@link IngestService.Options#epochs()}) sends
 * every file once per epoch. Once an epoch is acknowledged whole, {@link #startEpoch} replaces the
 * file by one line {@code epoch N}: the hashes of epoch N follow it. A rerun reads the epoch in
 * progress ({@link #epoch()}, 1 for a file without such a line) and the hashes sent in it, and
 * goes on there: in the same order (an order depends on its seed, the epoch and each file's
 * path alone), without what was sent. So the file holds one epoch at most.
 *
 * <p>Memory: the hashes live in one open-addressing table (33 bytes a slot: four longs and a
 * flag, filled between 3/8 and 3/4), so 44 to 88 bytes per file, plus the old table while it
 * doubles: at most about 90 MB for a million files, 900 MB for ten million.
 */
public final class IngestLedger implements AutoCloseable {

  private static final HexFormat HEX = HexFormat.of();
  private static final Pattern EPOCH_LINE = Pattern.compile("epoch ([1-9][0-9]{0,17})");

  private final Path file;
  /** Hashes acknowledged before, and those claimed in this run (sent or in flight). */
  private HashSet32 seen = new HashSet32();
  private long epoch = 1;
  private final long loaded;
  private OutputStream out;

  private IngestLedger(Path file) throws IOException {
    this.file = file;
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    boolean tornTail = false;
    if (Files.exists(file)) {
      try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
        String line;
        while ((line = reader.readLine()) != null) {
          byte[] hash = parse(line.strip());
          Matcher marker = EPOCH_LINE.matcher(line.strip());
          if (hash != null) {
            seen.add(hash);
          } else if (marker.matches()) {
            epoch = Long.parseLong(marker.group(1));
            seen = new HashSet32();
          }
        }
      }
      try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
        if (raf.length() > 0) {
          raf.seek(raf.length() - 1);
          tornTail = raf.read() != '\n';
        }
      }
    }
    this.loaded = seen.size();
    this.out = new FileOutputStream(file.toFile(), true);
    if (tornTail) {
      out.write('\n');
      out.flush();
    }
  }

  /**
   * Opens (creating it and its folder if needed) the ledger at {@code file} and reads it.
   *
   * @throws UncheckedIOException if it cannot be read or written
   */
  public static IngestLedger open(Path file) {
    try {
      return new IngestLedger(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the ingest ledger " + file + ": " + e, e);
    }
  }

  /** The default ledger of a folder ingest into {@code imagesTopic}: {@code DIR/.genstream-ingest/TOPIC.ledger}. */
  public static Path defaultFile(Path folder, String imagesTopic) {
    return folder.resolve(".genstream-ingest").resolve(imagesTopic + ".ledger");
  }

  public Path file() {
    return file;
  }

  /** Hashes read from the file when it was opened (of the epoch in progress). */
  public long loaded() {
    return loaded;
  }

  /** The epoch in progress: 1, or the last {@link #startEpoch} (of this run or one before). */
  public synchronized long epoch() {
    return epoch;
  }

  /**
   * Starts epoch {@code next}, after every record of the one before was acknowledged: the file
   * becomes the one line {@code epoch N} (written beside it and moved over it, so that a crash
   * leaves either the old file or the new one), and no hash is claimed any more.
   *
   * @throws IllegalArgumentException unless {@code next} is after {@link #epoch()}
   * @throws UncheckedIOException if the file cannot be written
   */
  public synchronized void startEpoch(long next) {
    if (next <= epoch) {
      throw new IllegalArgumentException("next epoch must be after " + epoch + ", got " + next);
    }
    Path fresh = file.resolveSibling(file.getFileName() + ".next");
    try {
      out.close();
      Files.writeString(fresh, "epoch " + next + "\n", StandardCharsets.US_ASCII);
      Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      out = new FileOutputStream(file.toFile(), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ingest ledger " + file + ": " + e, e);
    }
    seen = new HashSet32();
    epoch = next;
  }

  /**
   * True, and the hash claimed for this run, if it was neither in the ledger nor claimed already
   * in this run; false if a file with these bytes was already sent (or is being sent).
   */
  public synchronized boolean claim(byte[] hash) {
    return seen.add(hash);
  }

  /** Appends the hash of a file whose record the broker acknowledged, and flushes it. */
  public synchronized void recordAcknowledged(byte[] hash) {
    try {
      out.write((HEX.formatHex(hash) + "\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the ingest ledger " + file + ": " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SHA-256 of a file's bytes, streamed. */
  public static byte[] sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return digest.digest();
  }

  /** The SHA-256 of bytes already in memory (a file read once for decoding and hashing). */
  public static byte[] sha256(byte[] bytes) {
    return newDigest().digest(bytes);
  }

  public static String hex(byte[] hash) {
    return HEX.formatHex(hash);
  }

  /** The hash of a 64-hex-digit string, or null if it is not one. */
  public static byte[] parse(String hex) {
    if (hex.length() != 64) {
      return null;
    }
    try {
      return HEX.parseHex(hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A set of 32-byte hashes in one long[] (four longs a slot, open addressing, load ≤ 3/4). */
  static final class HashSet32 {
    private long[] table = new long[4 * 16];
    private boolean[] used = new boolean[16];
    private int size;

    int size() {
      return size;
    }

    boolean add(byte[] hash) {
      int slot = find(table, used, hash);
      if (used[slot]) {
        return false;
      }
      if ((size + 1) * 4L > used.length * 3L) {
        grow();
        slot = find(table, used, hash);
      }
      put(table, used, slot, hash);
      size++;
      return true;
    }

    private void grow() {
      long[] oldTable = table;
      boolean[] oldUsed = used;
      table = new long[oldTable.length * 2];
      used = new boolean[oldUsed.length * 2];
      byte[] hash = new byte[32];
      for (int i = 0; i < oldUsed.length; i++) {
        if (oldUsed[i]) {
          for (int j = 0; j < 4; j++) {
            long v = oldTable[4 * i + j];
            for (int b = 0; b < 8; b++) {
              hash[8 * j + b] = (byte) (v >>> (56 - 8 * b));
            }
          }
          put(table, used, find(table, used, hash), hash);
        }
      }
    }

    private static long word(byte[] hash, int j) {
      long v = 0;
      for (int b = 0; b < 8; b++) {
        v = (v << 8) | (hash[8 * j + b] & 0xFF);
      }
      return v;
    }

    /** The slot holding {@code hash}, or the empty slot where it would go. */
    private static int find(long[] table, boolean[] used, byte[] hash) {
      int mask = used.length - 1;
      int slot = (int) (word(hash, 0) ^ (word(hash, 0) >>> 32)) & mask;
      while (used[slot]) {
        boolean same = true;
        for (int j = 0; j < 4 && same; j++) {
          same = table[4 * slot + j] == word(hash, j);
        }
        if (same) {
          return slot;
        }
        slot = (slot + 1) & mask;
      }
      return slot;
    }

    private static void put(long[] table, boolean[] used, int slot, byte[] hash) {
      for (int j = 0; j < 4; j++) {
        table[4 * slot + j] = word(hash, j);
      }
      used[slot] = true;
    }
  }
}
