package io.genstream.trainer.family.framepred;

import ai.djl.ndarray.NDArray;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.Layer;
import io.genstream.trainer.nn.OnnxExport;
import io.genstream.trainer.nn.ParameterDeclarations;

/**
 * Next frame as a change of the last one: {@code clip(last + body(x), -1, 1)}, where {@code x}
 * is {@code [N, frames·channels, H, W]} (past frames stacked on the channel axis, oldest first),
 * {@code last} its final {@code channels} channels and {@code body} maps {@code x} to
 * {@code [N, channels, H, W]}. A body that outputs zero repeats the last frame, so a predictor
 * starts from the strong "nothing moves" baseline and only learns what changes.
 *
 * <p>The clip (not a tanh) keeps the output in [-1, 1]: a tanh of {@code last + Δ} would need an
 * unbounded Δ to reproduce a saturated (±1) still pixel, and its gradient there vanishes. ONNX
 * {@code Slice}, {@code Add}, {@code Clip}. Immutable and thread-safe.
 */
public record LastFrameResidual(Layer body, int frames, int channels) implements Layer {

  public LastFrameResidual {
    if (frames < 1 || channels < 1) {
      throw new IllegalArgumentException(
          "frames and channels must be >= 1, got " + frames + ", " + channels);
    }
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    body.declare(declarations);
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    int from = (frames - 1) * channels;
    NDArray last = x.get(":, " + from + ":" + (from + channels));
    return last.add(body.forward(pass, x)).clip(-1f, 1f);
  }

  @Override
  public String export(OnnxExport export, String x) {
    String delta = body.export(export, x);
    long from = (long) (frames - 1) * channels;
    String starts = export.constant("last_frame_starts", new long[] {from}, 1);
    String ends = export.constant("last_frame_ends", new long[] {from + channels}, 1);
    String axes = export.constant("last_frame_axes", new long[] {1}, 1);
    String last = export.node("Slice", "last_frame", new String[] {x, starts, ends, axes});
    String sum = export.node("Add", "next_frame", new String[] {last, delta});
    String min = export.constant("clip_min", new float[] {-1f});
    String max = export.constant("clip_max", new float[] {1f});
    return export.node("Clip", "next_frame_clipped", new String[] {sum, min, max});
  }
}
