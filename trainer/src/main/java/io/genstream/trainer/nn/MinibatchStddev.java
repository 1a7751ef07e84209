package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;

/**
 * Minibatch standard deviation (Karras et al. 2018, ProGAN), {@code [N, C, H, W] → [N, C + 1, H,
 * W]}: appends one channel holding how much the batch varies, so a discriminator can tell a
 * collapsed generator's too-similar batch from a real one. No parameters.
 *
 * <p>The appended value is {@code mean over c, h, w of sqrt(mean over n of (x - mean over n of
 * x)² + 1e-8)}: the population standard deviation over the batch of each feature at each
 * position, averaged, the same for every item and position. The epsilon sits inside the square
 * root, so a batch of one gives {@code sqrt(1e-8) = 1e-4} and the gradient stays finite. The
 * DJL forward is differentiable (the broadcast is an {@code expand}) and the same in training
 * and inference mode; it depends on the batch, so inference should use realistic batch sizes.
 *
 * <p>ONNX (opset 17, where {@code ReduceMean} takes {@code axes} as an attribute):
 * {@code ReduceMean}, {@code Sub}, {@code Mul}, {@code ReduceMean}, {@code Add}, {@code Sqrt},
 * {@code ReduceMean} to {@code [1, 1, 1, 1]}, {@code Expand} to {@code [N, 1, H, W]} built from
 * {@code Shape} slices and a constant 1 ({@code Concat}), then {@code Concat} on axis 1.
 */
public record MinibatchStddev() implements Layer {

  /** Added to the variance inside the square root. */
  public static final float EPSILON = 1e-8f;

  @Override
  public void declare(ParameterDeclarations declarations) {}

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    Shape shape = x.getShape();
    NDArray centred = x.sub(x.mean(new int[] {0}, true));
    NDArray std = centred.square().mean(new int[] {0}, true).add(EPSILON).sqrt(); // [1, C, H, W]
    NDArray average = std.mean().reshape(1, 1, 1, 1);
    NDArray channel = average.broadcast(new Shape(shape.get(0), 1, shape.get(2), shape.get(3)));
    return NDArrays.concat(new NDList(x, channel), 1);
  }

  @Override
  public String export(OnnxExport export, String x) {
    String mean = export.node("ReduceMean", "mbstd_mean", new String[] {x},
        Layers.attribute("axes", new long[] {0}),
        Layers.attribute("keepdims", 1L));
    String centred = export.node("Sub", "mbstd_centred", new String[] {x, mean});
    String squared = export.node("Mul", "mbstd_squared", new String[] {centred, centred});
    String variance = export.node("ReduceMean", "mbstd_variance", new String[] {squared},
        Layers.attribute("axes", new long[] {0}),
        Layers.attribute("keepdims", 1L));
    String epsilon = export.constant("mbstd_epsilon", new float[] {EPSILON}, 1);
    String shifted = export.node("Add", "mbstd_shifted", new String[] {variance, epsilon});
    String std = export.node("Sqrt", "mbstd_std", new String[] {shifted});
    String average = export.node("ReduceMean", "mbstd_average", new String[] {std},
        Layers.attribute("axes", 1L, 2L, 3L), Layers.attribute("keepdims", 1L));
    String batch = export.node("Shape", "mbstd_batch", new String[] {x},
        Layers.attribute("start", 0L), Layers.attribute("end", 1L)); // [N]
    String spatial = export.node("Shape", "mbstd_spatial", new String[] {x},
        Layers.attribute("start", 2L)); // [H, W]
    String one = export.constant("mbstd_one", new long[] {1}, 1);
    String target = export.node("Concat", "mbstd_target", new String[] {batch, one, spatial},
        Layers.attribute("axis", 0L)); // [N, 1, H, W]
    String channel = export.node("Expand", "mbstd_channel", new String[] {average, target});
    return export.node("Concat", "mbstd", new String[] {x, channel},
        Layers.attribute("axis", 1L));
  }
}
