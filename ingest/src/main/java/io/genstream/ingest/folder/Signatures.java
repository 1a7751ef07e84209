package io.genstream.ingest.folder;

import io.genstream.core.image.Png;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;

/**
 * The reader for a PNG, JPEG, GIF or BMP, picked by the file's first bytes.
 *
 * <p>{@code ImageIO.getImageReaders} asks every registered reader whether it can decode the
 * stream, each one marking, reading and resetting it: for a 28×28 image that took as long as a
 * twentieth of the decoding. Here the signature names one candidate, and that reader's own
 * {@code canDecodeInput} still decides, so a file is accepted exactly when that reader accepts
 * it; anything else (no known signature, or refused by the candidate) is left to the caller's
 * full lookup, which gives the same reader or reason as before.
 *
 * <p>The readers it gives are kept, one per format and thread, and reused image after image:
 * making ImageIO's JPEG reader (its native decoder state) and disposing of it again cost a
 * fifth of decoding a 28×28 JPEG. A thread holds at most four, and a reader's native memory
 * goes with its thread (ImageIO frees it when the reader is collected).
 */
final class Signatures {

  private static final byte[] PNG = Png.signature();
  private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8};
  private static final byte[] GIF = {'G', 'I', 'F', '8'};
  private static final byte[] BMP = {'B', 'M'};
  private static final int LONGEST = PNG.length;

  private static final ImageReaderSpi PNG_READER = provider("png");
  private static final ImageReaderSpi JPEG_READER = provider("jpeg");
  private static final ImageReaderSpi GIF_READER = provider("gif");
  private static final ImageReaderSpi BMP_READER = provider("bmp");

  private Signatures() {}

  private static final ThreadLocal<Map<ImageReaderSpi, ImageReader>> READERS =
      ThreadLocal.withInitial(HashMap::new);

  /**
   * This thread's reader for the stream's format, if its first bytes are a known signature and
   * that reader accepts the stream; null otherwise. The stream's position is unchanged. The
   * caller gives it back with {@link #release} when done with it, before asking for another.
   */
  static ImageReader reader(ImageInputStream in) throws IOException {
    if (in == null) {
      return null;
    }
    byte[] head = new byte[LONGEST];
    in.mark();
    int length;
    try {
      length = Math.max(0, in.read(head));
    } finally {
      in.reset();
    }
    ImageReaderSpi candidate = candidate(head, length);
    if (candidate == null || !candidate.canDecodeInput(in)) {
      return null;
    }
    ImageReader kept = READERS.get().remove(candidate);
    return kept != null ? kept : candidate.createReaderInstance();
  }

  /**
   * Gives back a reader from {@link #reader}: reset and kept for this thread's next image if
   * {@code reusable} (it read an image, or refused one, without failing itself), disposed of
   * otherwise.
   */
  static void release(ImageReader reader, boolean reusable) {
    if (reusable) {
      reader.reset();
      READERS.get().put(reader.getOriginatingProvider(), reader);
    } else {
      reader.dispose();
    }
  }

  /** The provider whose signature {@code head} starts with; null if none or not installed. */
  static ImageReaderSpi candidate(byte[] head, int length) {
    if (startsWith(head, length, PNG)) {
      return PNG_READER;
    }
    if (startsWith(head, length, JPEG)) {
      return JPEG_READER;
    }
    if (startsWith(head, length, GIF)) {
      return GIF_READER;
    }
    if (startsWith(head, length, BMP)) {
      return BMP_READER;
    }
    return null;
  }

  private static boolean startsWith(byte[] head, int length, byte[] signature) {
    return length >= signature.length
        && Arrays.equals(head, 0, signature.length, signature, 0, signature.length);
  }

  /** The first installed reader of {@code format}, as ImageIO would list it; null if none. */
  private static ImageReaderSpi provider(String format) {
    Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format);
    if (!readers.hasNext()) {
      return null;
    }
    ImageReader reader = readers.next();
    try {
      return reader.getOriginatingProvider();
    } finally {
      reader.dispose();
    }
  }
}
