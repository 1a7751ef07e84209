package io.genstream.ingest.video;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.image.InvalidImageException;
import io.genstream.core.image.Png;
import io.genstream.core.messages.VideoFrame;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.internal.Normaliser;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * What every frame on the topic looks like: a {@code size × size} PNG with 1 (gray) or 3 (RGB)
 * channels. Frames of another size or channel count are rejected, not resized: a resized frame
 * of a different aspect ratio would silently change the motion a predictor learns.
 *
 * <p>A valid frame is re-encoded as an 8-bit PNG of exactly the spec (ancillary chunks, alpha
 * and 16-bit samples gone), so the topic holds one format. Besides PNG, {@link #check} takes
 * JPEG and BMP (frame folders written by {@code ffmpeg … %06d.jpg}); the pipe takes PNG only.
 */
public record FrameSpec(int size, int channels) {

  public FrameSpec {
    if (size < 1 || size > 1024) {
      throw new IllegalArgumentException("size must be 1..1024, got " + size);
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException("channels must be 1 (gray) or 3 (RGB), got " + channels);
    }
  }

  /** {@code 32x32x1}. */
  @Override
  public String toString() {
    return size + "x" + size + "x" + channels;
  }

  /** Checks {@code png}; a frame of the spec, or a rejection with the reason and the bytes. */
  public FrameItem check(String streamId, long index, String origin, byte[] png, Instant time) {
    try {
      return new FrameItem.Frame(new VideoFrame(streamId, index, time, normalise(png)), origin);
    } catch (IllegalArgumentException e) { // InvalidImageException too
      return new FrameItem.Rejection(streamId, index, origin, e.getMessage(), png);
    }
  }

  /**
   * The PNG re-encoded to the spec.
   *
   * @throws IllegalArgumentException (the reason) if it is not a readable PNG of the spec
   */
  byte[] normalise(byte[] png) {
    if (!Png.hasSignature(png)) {
      return normaliseOther(png);
    }
    Png.Size declared = Png.size(png); // from the header alone, before decoding
    if (declared.width() != size || declared.height() != size) {
      throw new IllegalArgumentException("frame is " + declared + ", expected " + size + "x" + size
          + " (scale the video first, e.g. ffmpeg -vf scale=" + size + ":" + size + ")");
    }
    if (channels == 3 && !colour(png)) {
      throw new IllegalArgumentException("frame is a gray PNG, expected RGB (--channels 3)");
    }
    ImageTensor tensor;
    try {
      tensor = ImageTensor.fromPng(png, channels);
    } catch (InvalidImageException e) {
      throw new IllegalArgumentException(e.getMessage().contains("colour")
          ? "frame is a colour image, expected gray (--channels 1): " + e.getMessage()
          : "corrupt PNG: " + e.getMessage(), e);
    }
    return tensor.toPng();
  }

  /** Whether the IHDR colour type (byte 25) is RGB, palette or RGBA. */
  private static boolean colour(byte[] png) {
    int colourType = png.length > 25 ? png[25] : 0;
    return colourType == 2 || colourType == 3 || colourType == 6;
  }

  private static final Set<String> OTHER_FORMATS = Set.of("jpeg", "bmp");

  /** A JPEG or BMP frame: size from the header, channels as stored, no conversion. */
  private byte[] normaliseOther(byte[] bytes) {
    try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new IllegalArgumentException("not a PNG, JPEG or BMP image");
      }
      ImageReader reader = readers.next();
      try {
        String format = reader.getFormatName().toLowerCase(Locale.ROOT);
        if (!OTHER_FORMATS.contains(format)) {
          throw new IllegalArgumentException("unsupported frame format " + format
              + ", expected PNG, JPEG or BMP");
        }
        reader.setInput(in, true, true);
        int width = reader.getWidth(0); // the header only, before decoding
        int height = reader.getHeight(0);
        if (width != size || height != size) {
          throw new IllegalArgumentException("frame is " + width + "x" + height + ", expected "
              + size + "x" + size + " (scale the video first, e.g. ffmpeg -vf scale=" + size + ":"
              + size + ")");
        }
        BufferedImage image = reader.read(0);
        int stored = image.getColorModel().getNumColorComponents() == 1 ? 1 : 3;
        if (stored != channels) {
          throw new IllegalArgumentException("frame is " + (stored == 1 ? "gray" : "a colour image")
              + ", expected " + (channels == 1 ? "gray (--channels 1)" : "RGB (--channels 3)"));
        }
        return new Normaliser(new DatasetSpec(size, channels, DatasetSpec.Resize.FIT))
            .normalise(image).tensor().toPng();
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw (IllegalArgumentException) e;
      }
      throw new IllegalArgumentException("corrupt or unreadable frame: " + e.getMessage(), e);
    }
  }
}
