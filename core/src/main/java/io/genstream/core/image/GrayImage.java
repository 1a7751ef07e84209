package io.genstream.core.image;

/**
 * An 8-bit grayscale image, row-major, one byte per pixel (0 = black, 255 = white).
 *
 * <p>The pixel array is not copied; treat it as immutable once the image is built.
 */
public record GrayImage(int width, int height, byte[] pixels) {

  public GrayImage {
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
    }
    if (pixels.length != width * height) {
      throw new IllegalArgumentException(
          "expected " + width * height + " pixels for " + width + "x" + height + ", got " + pixels.length);
    }
  }

  /** Pixel at (x, y) as 0..255. */
  public int get(int x, int y) {
    return pixels[y * width + x] & 0xFF;
  }

  /**
   * From a tensor in [-1, 1] (the generators' tanh range), clamped; {@code offset} is where
   * this image starts in {@code values}.
   */
  public static GrayImage fromSymmetricUnit(float[] values, int offset, int width, int height) {
    byte[] pixels = new byte[width * height];
    for (int i = 0; i < pixels.length; i++) {
      float v = (values[offset + i] + 1f) * 127.5f;
      pixels[i] = (byte) Math.round(Math.max(0f, Math.min(255f, v)));
    }
    return new GrayImage(width, height, pixels);
  }

  /** Pixels scaled to [-1, 1], the range the models train on. */
  public float[] toSymmetricUnit() {
    float[] values = new float[pixels.length];
    for (int i = 0; i < values.length; i++) {
      values[i] = (pixels[i] & 0xFF) / 127.5f - 1f;
    }
    return values;
  }
}
