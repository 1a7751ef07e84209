package io.genstream.ingest.internal;

import io.genstream.core.image.ImageTensor;
import io.genstream.ingest.DatasetSpec;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
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
      if (Planes.eightBitBytes(image, model, colours, luma, true)) {
        return resized(1, width, height, luma, Optional.of("rgb-to-gray"));
      }
    }
    byte[] planes = new byte[(gray ? 1 : 3) * width * height];
    if (!direct) {
      Planes.paletteOrOther(image, planes);
    } else if (!Planes.eightBitBytes(image, model, colours, planes, false)) {
      Planes.samplesByRow(image, model, colours, planes);
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
    return resized(1, width, height, Planes.lumaPlane(raster), Optional.of("rgb-to-gray"));
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
      gray[i] = Planes.luma(rgb[i] & 0xFF, rgb[plane + i] & 0xFF, rgb[2 * plane + i] & 0xFF);
    }
    return gray;
  }

  private static byte[] triple(byte[] gray) {
    byte[] rgb = new byte[3 * gray.length];
    for (int c = 0; c < 3; c++) {
      System.arraycopy(gray, 0, rgb, c * gray.length, gray.length);
    }
    return rgb;
  }
}
