package io.genstream.ingest.video;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.image.InvalidImageException;
import io.genstream.core.image.Png;
import io.genstream.core.messages.VideoFrame;
import java.time.Instant;

/**
 * What every frame on the topic looks like: a {@code size × size} PNG with 1 (gray) or 3 (RGB)
 * channels. Frames of another size or channel count are rejected, not resized: a resized frame
 * of a different aspect ratio would silently change the motion a predictor learns.
 *
 * <p>A valid frame is re-encoded as an 8-bit PNG of exactly the spec (ancillary chunks, alpha
 * and 16-bit samples gone), so the topic holds one format.
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
      throw new IllegalArgumentException("not a PNG (no PNG signature); frames must be PNG");
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
}
