package io.genstream.ingest.video;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.image.Png;
import java.io.ByteArrayOutputStream;

/** Test frames: small PNGs whose first pixel says which frame they are. */
final class Frames {

  private Frames() {}

  /** A gray {@code size × size} PNG whose pixel (0,0) is {@code mark}. */
  static byte[] gray(int size, int mark) {
    byte[] pixels = new byte[size * size];
    pixels[0] = (byte) mark;
    pixels[pixels.length - 1] = (byte) 200;
    return Png.encode(new GrayImage(size, size, pixels));
  }

  /** An RGB PNG with some colour. */
  static byte[] rgb(int size) {
    byte[] chw = new byte[3 * size * size];
    chw[0] = (byte) 255;
    return new ImageTensor(3, size, size, chw).toPng();
  }

  /** Pixel (0,0) of a gray PNG. */
  static int mark(byte[] png) {
    return Png.decode(png).get(0, 0);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
