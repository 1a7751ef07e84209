package io.genstream.core.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.util.Locale;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;

/**
 * Refuses truncated JPEG and GIF files, which ImageIO would otherwise decode partially and
 * silently: its JPEG reader fills what is missing with gray and only warns, and its GIF reader
 * needs nothing after the first image, so a file cut before its trailer decodes as if whole.
 * A file cut short is a broken copy or download; training on it, or on its gray rows, is worse
 * than dead-lettering it with the reason.
 *
 * <p>How, and why not simpler:
 * <ul>
 *   <li><b>JPEG</b>: {@link #read} listens to the reader's warnings. ImageIO's JPEG reader
 *       reads up to the end-of-image marker (EOI, {@code FF D9}) of the image it decodes, and
 *       when the data ends before it, it inserts one and warns "Truncated File - Missing EOI
 *       marker" (libjpeg's own "Premature end of JPEG file" is matched too). This costs nothing
 *       beyond the decoding, accepts bytes after the EOI (some cameras and editors append
 *       data), and cannot be fooled by the EOI of a thumbnail inside an APP1/EXIF segment, as
 *       searching the bytes for {@code FF D9} would be. Other warnings (extraneous bytes before
 *       a marker, and the like) are not refused: browsers show such files.</li>
 *   <li><b>GIF</b>: {@link #checkGif} walks the block structure (header, colour tables,
 *       extensions, images, each block's length-prefixed sub-blocks) to the trailer
 *       ({@code 3B}), skipping data by its lengths, so it reads a few bytes per 255 of image
 *       data. The data ending inside a block or before the trailer is refused.</li>
 * </ul>
 *
 * <p>Stateless; thread-safe as far as the streams and readers given are used by one thread.
 */
public final class WholeImages {

  private static final int GIF_TRAILER = 0x3B;
  private static final int GIF_EXTENSION = 0x21;
  private static final int GIF_IMAGE = 0x2C;

  private WholeImages() {}

  /**
   * Reads image 0 with {@code reader}, whose input is set, and refuses a JPEG whose data ended
   * before its end-of-image marker. Any other format is read as the reader reads it (a GIF is
   * checked by {@link #checkGif} before its reader gets the stream).
   *
   * @throws InvalidImageException if the JPEG is truncated ("truncated JPEG: no end-of-image
   *     marker ...")
   * @throws IOException as {@link ImageReader#read(int)} throws
   */
  public static BufferedImage read(ImageReader reader) throws IOException {
    if (!"jpeg".equals(reader.getFormatName().toLowerCase(Locale.ROOT))) {
      return reader.read(0);
    }
    return whole(reader, () -> reader.read(0));
  }

  /**
   * Reads image 0 of a JPEG as its raw raster, with {@code reader}, whose input is set: the
   * samples as coded, without colour conversion (for a YCbCr JPEG, band 0 is its luma), and
   * refused as {@link #read} refuses a truncated JPEG.
   *
   * @throws InvalidImageException if the JPEG is truncated
   * @throws IOException as {@link ImageReader#readRaster} throws
   */
  public static Raster readJpegRaster(ImageReader reader) throws IOException {
    return whole(reader, () -> reader.readRaster(0, null));
  }

  private interface Decode<T> {
    T run() throws IOException;
  }

  private static <T> T whole(ImageReader reader, Decode<T> decode) throws IOException {
    EndOfData end = new EndOfData();
    reader.addIIOReadWarningListener(end);
    T decoded;
    try {
      decoded = decode.run();
    } finally {
      reader.removeIIOReadWarningListener(end);
    }
    if (end.reached) {
      throw new InvalidImageException("truncated JPEG: no end-of-image marker (the data ends"
          + length(reader.getInput()) + ", before the image is complete)");
    }
    return decoded;
  }

  /**
   * Checks that a GIF's blocks run whole to its trailer, from the stream's position (the GIF's
   * first byte), and seeks back there. Bytes after the trailer are ignored; an unknown block
   * after a whole one ends the walk (the decoder then judges what it reads).
   *
   * @throws InvalidImageException if the data ends inside a block or before the trailer
   * @throws IOException if the stream cannot be read or sought
   */
  public static void checkGif(ImageInputStream in) throws IOException {
    long start = in.getStreamPosition();
    try {
      walkGif(in, start);
    } finally {
      in.seek(start);
    }
  }

  private static void walkGif(ImageInputStream in, long start) throws IOException {
    // Header "GIF87a"/"GIF89a" (6), logical screen descriptor: width, height (2 each), packed
    // fields, background colour, aspect ratio (1 each).
    skip(in, 10, "its header", start);
    int packed = read(in, "its header", start);
    skip(in, 2, "its header", start);
    if ((packed & 0x80) != 0) {
      skip(in, colourTable(packed), "its global colour table", start);
    }
    int images = 0;
    while (true) {
      int introducer = in.read();
      if (introducer < 0) {
        throw new InvalidImageException("truncated GIF: no trailer (0x3B) after its "
            + (images == 0 ? "header" : images == 1 ? "image" : images + " images")
            + at(in, start));
      }
      if (introducer == GIF_TRAILER) {
        return;
      }
      if (introducer == GIF_EXTENSION) {
        read(in, "an extension", start); // label
        skipSubBlocks(in, "an extension", start);
      } else if (introducer == GIF_IMAGE) {
        images++;
        String where = "image " + images;
        // Left, top, width, height (2 bytes each), packed fields (1).
        skip(in, 8, where, start);
        int imagePacked = read(in, where, start);
        if ((imagePacked & 0x80) != 0) {
          skip(in, colourTable(imagePacked), where + "'s colour table", start);
        }
        read(in, where, start); // LZW minimum code size
        skipSubBlocks(in, where + "'s data", start);
      } else {
        return; // not ours to judge: the decoder reads what it can
      }
    }
  }

  /** A colour table's bytes: 3 × 2^(n+1) for the size bits n of packed fields. */
  private static int colourTable(int packed) {
    return 3 << ((packed & 0x07) + 1);
  }

  /** Length-prefixed sub-blocks, up to the zero-length block terminator. */
  private static void skipSubBlocks(ImageInputStream in, String where, long start)
      throws IOException {
    for (int length = read(in, where, start); length != 0; length = read(in, where, start)) {
      skip(in, length, where, start);
    }
  }

  private static int read(ImageInputStream in, String where, long start) throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new InvalidImageException("truncated GIF: the data ends inside " + where
          + at(in, start));
    }
    return b;
  }

  private static void skip(ImageInputStream in, int n, String where, long start)
      throws IOException {
    long length = in.length();
    long position = in.getStreamPosition();
    if (length >= 0) {
      // Seeking past the end is allowed and would go unnoticed: check against the length.
      if (position + n > length) {
        in.seek(length);
        throw new InvalidImageException("truncated GIF: the data ends inside " + where
            + at(in, start));
      }
      in.seek(position + n);
      return;
    }
    for (int left = n; left > 0; left--) { // a stream of unknown length: read through
      read(in, where, start);
    }
  }

  private static String at(ImageInputStream in, long start) throws IOException {
    return " (after " + (in.getStreamPosition() - start) + " bytes)";
  }

  private static String length(Object input) {
    try {
      if (input instanceof ImageInputStream in) {
        // Of unknown length, the stream was read to its end.
        return " after " + (in.length() >= 0 ? in.length() : in.getStreamPosition()) + " bytes";
      }
    } catch (IOException e) {
      // Only for the message.
    }
    return "";
  }

  /** Whether the JPEG reader said that the data ended before the end-of-image marker. */
  private static final class EndOfData implements IIOReadWarningListener {
    boolean reached;

    @Override
    public void warningOccurred(ImageReader source, String warning) {
      String text = warning == null ? "" : warning.toLowerCase(Locale.ROOT);
      // ImageIO's message (its JPEGImageReaderResources has no translations) and libjpeg's.
      if (text.contains("missing eoi") || text.contains("premature end of jpeg file")) {
        reached = true;
      }
    }
  }
}
