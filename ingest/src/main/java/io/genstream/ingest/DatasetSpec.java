package io.genstream.ingest;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;

/**
 * What every image on the topic looks like: {@code size × size} pixels, 1 (gray) or 3 (RGB)
 * channels. Sources normalise to it; {@code maxPixels} is the budget a file may declare in its
 * header before we refuse to decode it.
 */
public record DatasetSpec(int size, int channels, Resize resize, long maxPixels) {

  /** 4096 × 4096. */
  public static final long DEFAULT_MAX_PIXELS = 4096L * 4096L;

  /** How an image of another size or aspect ratio becomes {@code size × size}. */
  public enum Resize {
    /** Scale each axis on its own to {@code size}: the whole image, aspect ratio not kept. */
    FIT,
    /** Scale the short side to {@code size}, cut the long side's excess equally from both ends. */
    CROP,
    /** Scale the long side to {@code size}, pad the short side with black equally on both ends. */
    PAD;

    /** {@code fit}, {@code crop} or {@code pad}, any case. */
    public static Resize parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("resize must be one of "
            + Arrays.toString(values()).toLowerCase(Locale.ROOT) + ", got '" + text + "'");
      }
    }
  }

  public DatasetSpec {
    if (size < 1 || size > 1024) {
      throw new IllegalArgumentException("size must be 1..1024, got " + size);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (gray) or 3 (RGB), got " + channels);
    }
    Objects.requireNonNull(resize, "resize");
    if (maxPixels < 1) {
      throw new IllegalArgumentException("maxPixels must be >= 1, got " + maxPixels);
    }
  }

  public DatasetSpec(int size, int channels, Resize resize) {
    this(size, channels, resize, DEFAULT_MAX_PIXELS);
  }

  /** {@code 28x28x1 fit}. */
  @Override
  public String toString() {
    return size + "x" + size + "x" + channels + " " + resize.name().toLowerCase(Locale.ROOT);
  }
}
