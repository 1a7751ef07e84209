package io.genstream.ingest.idx;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * The bytes of one IDX file, readable at any position, so that its entries can be sent in any
 * order without holding them in memory: a plain file is read where it lies; a gzip file is
 * inflated once into a temporary file (as large as the inflated data; deleted on close), since
 * gzip cannot be read from the middle.
 *
 * <p>A gzip stream that breaks off or is corrupt keeps what was inflated before the fault:
 * {@link #length()} counts those bytes and {@link #fault()} says what went wrong, so that the
 * complete entries before it can still be sent. One owner, one thread; {@link #close()} closes
 * the file and deletes the temporary one.
 */
final class IdxData implements AutoCloseable {

  private final FileChannel channel;
  private final long length;
  private final String fault;
  private final Path temporary;

  private IdxData(FileChannel channel, long length, String fault, Path temporary) {
    this.channel = channel;
    this.length = length;
    this.fault = fault;
    this.temporary = temporary;
  }

  /** Opens {@code file}, inflating it first if it is gzip (recognised by its first two bytes). */
  static IdxData open(Path file) throws IOException {
    if (!gzip(file)) {
      FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
      return new IdxData(channel, channel.size(), null, null);
    }
    Path temporary = Files.createTempFile("genstream-idx-", ".raw");
    String fault = null;
    try {
      try (InputStream in = new GZIPInputStream(
              new BufferedInputStream(Files.newInputStream(file), 64 * 1024), 64 * 1024);
          OutputStream out = Files.newOutputStream(temporary)) {
        // The output is unbuffered: what was inflated before a fault is in the file.
        in.transferTo(out);
      } catch (EOFException e) {
        fault = "gzip data ends early (" + e.getMessage() + ")";
      } catch (ZipException e) {
        fault = "corrupt gzip data (" + e.getMessage() + ")";
      }
      FileChannel channel = FileChannel.open(temporary, StandardOpenOption.READ);
      return new IdxData(channel, channel.size(), fault, temporary);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
  }

  private static boolean gzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  /** Bytes readable: the file's size, or what was inflated. */
  long length() {
    return length;
  }

  /** Why a gzip file's data ends before its end, or null if it does not. */
  String fault() {
    return fault;
  }

  /** The big-endian int at {@code position}; the caller checked that 4 bytes are there. */
  int readInt(long position) throws IOException {
    return ByteBuffer.wrap(read(position, 4)).getInt();
  }

  /** The unsigned byte at {@code position}; the caller checked that it is there. */
  int readByte(long position) throws IOException {
    return read(position, 1)[0] & 0xFF;
  }

  /** {@code count} bytes from {@code position}; the caller checked that they are there. */
  byte[] read(long position, int count) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(count);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, position + buffer.position()) < 0) {
        throw new EOFException("the file ends at " + (position + buffer.position())
            + " bytes, " + count + " wanted from " + position + " (shortened while being read?)");
      }
    }
    return buffer.array();
  }

  @Override
  public void close() throws IOException {
    try {
      channel.close();
    } finally {
      if (temporary != null) {
        Files.deleteIfExists(temporary);
      }
    }
  }
}
