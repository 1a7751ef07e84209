package io.genstream.trainer.gan;

import java.util.Map;

/**
 * A plain-Java snapshot of the generator's weights and BatchNorm running statistics: what the
 * ONNX exporter needs, with no DJL types, so exporting never touches native training memory.
 *
 * <p>Shapes (K classes, E embedding, L latent, C0/C1 widths, s = imageSize/4):
 * {@value #EMBEDDING} {@code [K,E]}, {@value #FC_WEIGHT} {@code [C0·s·s, L+E]} (PyTorch's
 * {@code [out, in]}), {@value #FC_BIAS} {@code [C0·s·s]}, {@code bn0.*} {@code [C0]},
 * {@value #CONV1_WEIGHT} {@code [C1,C0,3,3]}, {@value #CONV1_BIAS} {@code [C1]}, {@code bn1.*}
 * {@code [C1]}, {@value #CONV2_WEIGHT} {@code [1,C1,3,3]}, {@value #CONV2_BIAS} {@code [1]}.
 *
 * @param config the architecture the weights belong to
 * @param arrays weights by name; the arrays are not copied, treat them as read-only
 */
public record GeneratorWeights(GanConfig config, Map<String, float[]> arrays) {

  public static final String EMBEDDING = "embedding";
  public static final String FC_WEIGHT = "fc.weight";
  public static final String FC_BIAS = "fc.bias";
  public static final String BN0_GAMMA = "bn0.weight";
  public static final String BN0_BETA = "bn0.bias";
  public static final String BN0_MEAN = "bn0.running_mean";
  public static final String BN0_VAR = "bn0.running_var";
  public static final String CONV1_WEIGHT = "conv1.weight";
  public static final String CONV1_BIAS = "conv1.bias";
  public static final String BN1_GAMMA = "bn1.weight";
  public static final String BN1_BETA = "bn1.bias";
  public static final String BN1_MEAN = "bn1.running_mean";
  public static final String BN1_VAR = "bn1.running_var";
  public static final String CONV2_WEIGHT = "conv2.weight";
  public static final String CONV2_BIAS = "conv2.bias";

  public GeneratorWeights {
    arrays = Map.copyOf(arrays);
  }

  /**
   * The named array.
   *
   * @throws IllegalArgumentException naming the known weights if there is no such one
   */
  public float[] get(String name) {
    float[] array = arrays.get(name);
    if (array == null) {
      throw new IllegalArgumentException("no generator weight '" + name + "', have " + arrays.keySet());
    }
    return array;
  }
}
