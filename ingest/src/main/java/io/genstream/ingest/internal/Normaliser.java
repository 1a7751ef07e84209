package io.genstream.ingest.internal;

import io.genstream.core.image.ImageTensor;
import io.genstream.ingest.DatasetSpec;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.util.Optional;

/**
 * Turns a decoded image into the {@link DatasetSpec}'s shape: samples as stored (no Java2D colour
 * conversion, which treats gray as linear light), transparency composited over black, channels
 * converted as the spec says (gray → RGB by copying the plane, RGB → gray by BT.601 luma), then
 * resized by the spec's policy with an area average (nearest pixel when enlarging).
 *
 * <p>Internal to the ingest module: sources use it, callers do not.
 */
public final class Normaliser {

  /** A normalised image and the channel conversion made, if any ({@code rgb-to-gray}, …). */
  public record Normalised(ImageTensor tensor, Optional<String> conversion) {

    /**
     * The PNG for the image's record. Up to {@value #STORED_UP_TO} bytes of pixels the data is
     * stored, not deflated: deflate's fixed cost per image was the largest part of ingesting a
     * small one, and ingest's producer compresses its batches (lz4) anyway. Larger images
     * are deflated, where it pays.
     */
    public byte[] png() {
      return tensor.chw().length <= STORED_UP_TO ? tensor.toUncompressedPng() : tensor.toPng();
    }
  }

  /** 64 × 64 RGB. */
  static final int STORED_UP_TO = 64 * 64 * 3;

  private final DatasetSpec spec;

  public Normaliser(DatasetSpec spec) {
    this.spec = spec;
  }

  /** A decoded image of any colour model ImageIO gives. */
  public Normalised normalise(BufferedImage image) {
    int width = image.getWidth();
    int height = image.getHeight();
    ColorModel model = image.getColorModel();
    int colours = model.getNumColorComponents();
    boolean direct = !(model instanceof IndexColorModel) && (colours == 1 || colours == 3);
    boolean gray = direct && colours == 1;
    if (direct && colours == 3 && spec.channels() == 1) {
      byte[] luma = new byte[width * height];
      if (eightBitBytes(image, model, colours, luma, true)) {
        return resized(1, width, height, luma, Optional.of("rgb-to-gray"));
      }
    }
    byte[] planes = new byte[(gray ? 1 : 3) * width * height];
    if (!direct) {
      paletteOrOther(image, planes);
    } else if (!eightBitBytes(image, model, colours, planes, false)) {
      samplesByRow(image, model, colours, planes);
    }
    return normalise(gray ? 1 : 3, width, height, planes);
  }

  /**
   * The luma plane of a colour JPEG, band 0 of its raw YCbCr raster (8-bit samples), as the
   * spec's gray image: the conversion recorded is {@code rgb-to-gray}, as for any colour image
   * made gray. Only for a one-channel spec.
   */
  public Normalised normaliseLuma(Raster raster) {
    if (spec.channels() != 1) {
      throw new IllegalStateException("the luma plane is for a gray dataset, the spec has "
          + spec.channels() + " channels");
    }
    int width = raster.getWidth();
    int height = raster.getHeight();
    byte[] luma = new byte[width * height];
    if (raster.getSampleModel() instanceof ComponentSampleModel sm
        && raster.getDataBuffer() instanceof DataBufferByte buffer) {
      int pixelStride = sm.getPixelStride();
      int scanline = sm.getScanlineStride();
      int bank = sm.getBankIndices()[0];
      byte[] data = buffer.getData(bank);
      // Raster coordinates start at (minX, minY); the sample model's at the translation.
      int start = buffer.getOffsets()[bank] + sm.getBandOffsets()[0]
          + (raster.getMinY() - raster.getSampleModelTranslateY()) * scanline
          + (raster.getMinX() - raster.getSampleModelTranslateX()) * pixelStride;
      for (int y = 0; y < height; y++) {
        int from = start + y * scanline;
        int at = y * width;
        for (int x = 0; x < width; x++, from += pixelStride) {
          luma[at + x] = data[from];
        }
      }
    } else {
      int[] row = new int[width];
      for (int y = 0; y < height; y++) {
        raster.getSamples(raster.getMinX(), raster.getMinY() + y, width, 1, 0, row);
        for (int x = 0; x < width; x++) {
          luma[y * width + x] = (byte) row[x];
        }
      }
    }
    return resized(1, width, height, luma, Optional.of("rgb-to-gray"));
  }

  /**
   * 8-bit samples in a byte buffer (what ImageIO's PNG and JPEG readers give for 8-bit gray,
   * RGB and their alpha forms), read straight from the array: per-pixel {@code getPixel} through
   * the sample model cost several times the decoding itself. With {@code toLuma} (RGB only) the
   * one plane written is the luma of the three, as {@link #luma} would make it from them, without
   * the three planes in between. False, and nothing written, for any other layout.
   */
  private static boolean eightBitBytes(BufferedImage image, ColorModel model, int colours,
      byte[] planes, boolean toLuma) {
    WritableRaster raster = image.getRaster();
    if (!(raster.getSampleModel() instanceof ComponentSampleModel sm)
        || !(raster.getDataBuffer() instanceof DataBufferByte buffer)) {
      return false;
    }
    int bands = raster.getNumBands();
    boolean alpha = model.hasAlpha();
    if (bands != colours + (alpha ? 1 : 0)) {
      return false;
    }
    for (int b = 0; b < bands; b++) {
      if (model.getComponentSize(b) != 8) {
        return false;
      }
    }
    int width = image.getWidth();
    int height = image.getHeight();
    int plane = width * height;
    int pixelStride = sm.getPixelStride();
    int scanline = sm.getScanlineStride();
    int[] bandOffsets = sm.getBandOffsets();
    int[] banks = sm.getBankIndices();
    int[] bankOffsets = buffer.getOffsets();
    // A sub-image's raster is a window on its parent's array, translated.
    int origin = -raster.getSampleModelTranslateY() * scanline
        - raster.getSampleModelTranslateX() * pixelStride;
    byte[][] data = new byte[bands][];
    int[] start = new int[bands];
    for (int b = 0; b < bands; b++) {
      data[b] = buffer.getData(banks[b]);
      start[b] = origin + bankOffsets[banks[b]] + bandOffsets[b];
    }
    for (int y = 0; y < height; y++) {
      int row = y * scanline;
      int at = y * width;
      if (toLuma) {
        byte[] reds = data[0];
        byte[] greens = data[1];
        byte[] blues = data[2];
        byte[] alphas = alpha ? data[3] : null;
        int r = start[0] + row;
        int g = start[1] + row;
        int b = start[2] + row;
        int a = alpha ? start[3] + row : 0;
        if (!alpha && reds == greens && greens == blues) {
          // Interleaved in one array (JPEG and PNG readers): one index, so that the JIT drops
          // most bounds checks; a third faster than three.
          int greenAt = g - r;
          int blueAt = b - r;
          for (int x = 0; x < width; x++, r += pixelStride) {
            planes[at + x] =
                luma(reds[r] & 0xFF, reds[r + greenAt] & 0xFF, reds[r + blueAt] & 0xFF);
          }
          continue;
        }
        for (int x = 0; x < width; x++, r += pixelStride, g += pixelStride, b += pixelStride) {
          if (alpha) {
            int opacity = alphas[a] & 0xFF;
            a += pixelStride;
            planes[at + x] = luma(overBlack(reds[r] & 0xFF, opacity) & 0xFF,
                overBlack(greens[g] & 0xFF, opacity) & 0xFF,
                overBlack(blues[b] & 0xFF, opacity) & 0xFF);
          } else {
            planes[at + x] = luma(reds[r] & 0xFF, greens[g] & 0xFF, blues[b] & 0xFF);
          }
        }
      } else if (!alpha) {
        for (int c = 0; c < colours; c++) {
          byte[] in = data[c];
          int from = start[c] + row;
          int to = c * plane + at;
          if (pixelStride == 1) {
            System.arraycopy(in, from, planes, to, width);
          } else {
            for (int x = 0; x < width; x++, from += pixelStride) {
              planes[to + x] = in[from];
            }
          }
        }
      } else {
        byte[] alphas = data[colours];
        int alphaFrom = start[colours] + row;
        for (int c = 0; c < colours; c++) {
          byte[] in = data[c];
          int from = start[c] + row;
          int a = alphaFrom;
          int to = c * plane + at;
          for (int x = 0; x < width; x++, from += pixelStride, a += pixelStride) {
            planes[to + x] = overBlack(in[from] & 0xFF, alphas[a] & 0xFF);
          }
        }
      }
    }
    return true;
  }

  /** Any other direct layout (16-bit samples, packed ints): its samples a row at a time. */
  private static void samplesByRow(BufferedImage image, ColorModel model, int colours,
      byte[] planes) {
    int width = image.getWidth();
    int height = image.getHeight();
    int plane = width * height;
    Raster raster = image.getRaster();
    int bands = raster.getNumBands();
    boolean hasAlpha = model.hasAlpha();
    int[] bits = new int[bands];
    for (int b = 0; b < bands; b++) {
      bits[b] = model.getComponentSize(b);
    }
    int[] samples = new int[bands * width];
    for (int y = 0; y < height; y++) {
      raster.getPixels(0, y, width, 1, samples);
      for (int x = 0; x < width; x++) {
        int s = x * bands;
        int alpha = hasAlpha ? eightBit(samples[s + colours], bits[colours]) : 255;
        for (int c = 0; c < colours; c++) {
          planes[c * plane + y * width + x] = overBlack(eightBit(samples[s + c], bits[c]), alpha);
        }
      }
    }
  }

  /** A palette or an unusual colour model: its sRGB values, a row at a time. */
  private static void paletteOrOther(BufferedImage image, byte[] planes) {
    int width = image.getWidth();
    int height = image.getHeight();
    int plane = width * height;
    int[] argbs = new int[width];
    for (int y = 0; y < height; y++) {
      image.getRGB(0, y, width, 1, argbs, 0, width);
      for (int x = 0; x < width; x++) {
        int argb = argbs[x];
        int alpha = argb >>> 24;
        int at = y * width + x;
        planes[at] = overBlack((argb >> 16) & 0xFF, alpha);
        planes[plane + at] = overBlack((argb >> 8) & 0xFF, alpha);
        planes[2 * plane + at] = overBlack(argb & 0xFF, alpha);
      }
    }
  }

  /** Planar 8-bit samples (CHW), {@code channels} 1 or 3. */
  public Normalised normalise(int channels, int width, int height, byte[] planes) {
    Optional<String> conversion = Optional.empty();
    if (channels != spec.channels()) {
      planes = channels == 3 ? luma(planes, width * height) : triple(planes);
      conversion = Optional.of(channels == 3 ? "rgb-to-gray" : "gray-to-rgb");
    }
    return resized(spec.channels(), width, height, planes, conversion);
  }

  /** {@code planes} already have the spec's channels. */
  private Normalised resized(int channels, int width, int height, byte[] planes,
      Optional<String> conversion) {
    byte[] resized = resize(planes, channels, width, height);
    return new Normalised(new ImageTensor(channels, spec.size(), spec.size(), resized),
        conversion);
  }

  private byte[] resize(byte[] planes, int channels, int width, int height) {
    int n = spec.size();
    if (width == n && height == n) {
      return planes;
    }
    // The source rectangle that maps onto the target rectangle [dx0, dx0+dw) × [dy0, dy0+dh).
    double sx0 = 0;
    double sy0 = 0;
    double sw = width;
    double sh = height;
    int dx0 = 0;
    int dy0 = 0;
    int dw = n;
    int dh = n;
    switch (spec.resize()) {
      case FIT -> { }
      case CROP -> {
        double side = Math.min(width, height);
        sx0 = (width - side) / 2;
        sy0 = (height - side) / 2;
        sw = side;
        sh = side;
      }
      case PAD -> {
        double scale = (double) n / Math.max(width, height);
        dw = Math.max(1, (int) Math.round(width * scale));
        dh = Math.max(1, (int) Math.round(height * scale));
        dx0 = (n - dw) / 2;
        dy0 = (n - dh) / 2;
      }
      default -> throw new IllegalStateException(spec.resize().name());
    }
    byte[] out = new byte[channels * n * n]; // black where padded
    int plane = width * height;
    for (int dy = 0; dy < dh; dy++) {
      int y0 = (int) Math.floor(sy0 + dy * sh / dh);
      int y1 = Math.min(height, Math.max(y0 + 1, (int) Math.floor(sy0 + (dy + 1) * sh / dh)));
      for (int dx = 0; dx < dw; dx++) {
        int x0 = (int) Math.floor(sx0 + dx * sw / dw);
        int x1 = Math.min(width, Math.max(x0 + 1, (int) Math.floor(sx0 + (dx + 1) * sw / dw)));
        int count = (y1 - y0) * (x1 - x0);
        for (int c = 0; c < channels; c++) {
          long sum = 0;
          for (int y = y0; y < y1; y++) {
            int row = c * plane + y * width;
            for (int x = x0; x < x1; x++) {
              sum += planes[row + x] & 0xFF;
            }
          }
          out[c * n * n + (dy0 + dy) * n + dx0 + dx] = (byte) ((sum + count / 2) / count);
        }
      }
    }
    return out;
  }

  private static byte[] luma(byte[] rgb, int plane) {
    byte[] gray = new byte[plane];
    for (int i = 0; i < plane; i++) {
      gray[i] = luma(rgb[i] & 0xFF, rgb[plane + i] & 0xFF, rgb[2 * plane + i] & 0xFF);
    }
    return gray;
  }

  /**
   * BT.601 luma, {@code Math.round(0.299 r + 0.587 g + 0.114 b)}, in integers: the same value for
   * every colour (checked for all 2^24) except at exact halves, where the double sum may land
   * either side of .5; those, one colour in a thousand, take the double formula itself.
   */
  static byte luma(int r, int g, int b) {
    int thousandths = 299 * r + 587 * g + 114 * b;
    int whole = thousandths / 1000;
    int rest = thousandths - whole * 1000;
    if (rest == 500) {
      return (byte) Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
    return (byte) (rest > 500 ? whole + 1 : whole);
  }

  private static byte[] triple(byte[] gray) {
    byte[] rgb = new byte[3 * gray.length];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(gray, 0, rgb, c * gray.length, gray.length);
    }
    return rgb;
  }

  private static int eightBit(int sample, int bits) {
    return bits > 8 ? sample >> (bits - 8) : bits < 8 ? sample * 255 / ((1 << bits) - 1) : sample;
  }

  private static byte overBlack(int value, int alpha) {
    return (byte) ((value * alpha + 127) / 255);
  }
}
