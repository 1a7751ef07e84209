package io.genstream.ingest.folder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import javax.imageio.stream.ImageInputStream;

/**
 * Whether a JPEG is coded as 8-bit YCbCr, read from its markers before the decoder runs. Then
 * band 0 of its raw raster is its luma: BT.601 luma of the colours it was encoded from, which is
 * what a gray dataset keeps of a colour image. Reading that plane skips the decoder's chroma
 * upsampling and colour conversion and our own RGB → luma pass, which together cost more than
 * the rest of decoding a 256×256 photo; it is also what libjpeg's grayscale output (and with it
 * torchvision's and Pillow's gray JPEG decoding) gives. The luma of the decoded RGB differs
 * from it only where the conversion clamped a channel or chroma was interpolated.
 *
 * <p>The rule is ImageIO's own (libjpeg's, then the JDK's adjustments in its JPEG reader), so
 * that a file counts as YCbCr here exactly when ImageIO converts it from YCbCr: three components
 * of 8 bits, and an Adobe marker with transform 1; or, without one, a JFIF or Exif marker,
 * component ids 1, 2, 3, or components not all sampled alike; but never ids 'R', 'G', 'B'
 * without JFIF. Anything else (gray, RGB, CMYK, 12-bit, an unreadable header) answers false,
 * and the caller decodes the ordinary way.
 */
final class JpegColour {

  private static final int SOI = 0xD8;
  private static final int EOI = 0xD9;
  private static final int SOS = 0xDA;
  private static final int APP0 = 0xE0;
  private static final int APP1 = 0xE1;
  private static final int APP14 = 0xEE;
  private static final byte[] JFIF = "JFIF\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EXIF = "Exif\0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ADOBE = "Adobe".getBytes(StandardCharsets.US_ASCII);

  private JpegColour() {}

  /** Reads the markers from the stream's position (the JPEG's first byte) and seeks back. */
  static boolean isYCbCr(ImageInputStream in) throws IOException {
    long start = in.getStreamPosition();
    try {
      return scan(in);
    } catch (IOException | RuntimeException e) {
      return false; // a damaged header: the decoder's turn to say what is wrong
    } finally {
      in.seek(start);
    }
  }

  private static boolean scan(ImageInputStream in) throws IOException {
    if (in.read() != 0xFF || in.read() != SOI) {
      return false;
    }
    boolean jfif = false;
    boolean exif = false;
    int adobeTransform = -1;
    while (true) {
      int marker = nextMarker(in);
      if (marker < 0 || marker == SOS || marker == EOI) {
        return false; // no frame header before the scan
      }
      int length = in.readUnsignedShort() - 2;
      if (length < 0) {
        return false;
      }
      long next = in.getStreamPosition() + length;
      if (marker == APP0 && length >= JFIF.length) {
        jfif |= startsWith(in, JFIF);
      } else if (marker == APP1 && length >= EXIF.length) {
        exif |= startsWith(in, EXIF);
      } else if (marker == APP14 && length >= 12 && startsWith(in, ADOBE)) {
        in.skipBytes(6); // version (2), flags0 (2), flags1 (2)
        adobeTransform = in.read();
      } else if (isStartOfFrame(marker)) {
        return frame(in, jfif, exif, adobeTransform);
      }
      in.seek(next);
    }
  }

  private static boolean frame(ImageInputStream in, boolean jfif, boolean exif,
      int adobeTransform) throws IOException {
    int precision = in.read();
    in.skipBytes(4); // height, width
    int components = in.read();
    if (precision != 8 || components != 3) {
      return false;
    }
    int[] ids = new int[3];
    int[] sampling = new int[3];
    for (int c = 0; c < 3; c++) {
      ids[c] = in.read();
      sampling[c] = in.read();
      in.read(); // quantisation table
    }
    if (adobeTransform >= 0) {
      return adobeTransform == 1;
    }
    if (jfif) {
      return true;
    }
    if (Arrays.equals(ids, new int[] {'R', 'G', 'B'})) {
      return false;
    }
    return exif || Arrays.equals(ids, new int[] {1, 2, 3})
        || sampling[1] != sampling[0] || sampling[2] != sampling[0];
  }

  /** The next marker's code, past any fill bytes; -1 at the end of the data. */
  private static int nextMarker(ImageInputStream in) throws IOException {
    int b = in.read();
    if (b != 0xFF) {
      return -1; // markers follow each other directly in a header
    }
    while (b == 0xFF) {
      b = in.read();
    }
    return b;
  }

  private static boolean isStartOfFrame(int marker) {
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8
        && marker != 0xCC;
  }

  private static boolean startsWith(ImageInputStream in, byte[] prefix) throws IOException {
    byte[] head = new byte[prefix.length];
    in.readFully(head);
    return Arrays.equals(head, prefix);
  }
}
