package io.genstream.ingest.internal;

import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;

/**
 * Reads a decoded image's samples into planar 8-bit bytes (CHW) as stored, with no Java2D colour
 * conversion: wider or narrower samples scaled to 8 bits, transparency composited over black.
 * Channel conversion and resizing are {@link Normaliser}'s.
 */
final class Planes {

  private Planes() {}

  /**
   * Band 0 of a raster with 8-bit samples (the luma plane of a colour JPEG's raw YCbCr raster),
   * one byte a pixel, row after row.
   */
  static byte[] lumaPlane(Raster raster) {
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
    return luma;
  }

  /**
   * 8-bit samples in a byte buffer (what ImageIO's PNG and JPEG readers give for 8-bit gray,
   * RGB and their alpha forms), read straight from the array: per-pixel {@code getPixel} through
   * the sample model cost several times the decoding itself. With {@code toLuma} (RGB only) the
   * one plane written is the luma of the three, as {@link #luma} would make it from them, without
   * the three planes in between. False, and nothing written, for any other layout.
   */
  static boolean eightBitBytes(BufferedImage image, ColorModel model, int colours,
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
  static void samplesByRow(BufferedImage image, ColorModel model, int colours,
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
  static void paletteOrOther(BufferedImage image, byte[] planes) {
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

  private static int eightBit(int sample, int bits) {
    return bits > 8 ? sample >> (bits - 8) : bits < 8 ? sample * 255 / ((1 << bits) - 1) : sample;
  }

  private static byte overBlack(int value, int alpha) {
    return (byte) ((value * alpha + 127) / 255);
  }
}
