package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;

/**
 * Appends a learned embedding of a class label to each feature vector:
 * {@code [N, F] → [N, F + dim]}. Parameter {@code <name>.weight [classes, dim]}, N(0, 1).
 * DJL multiplies the one-hot side input by the table; ONNX gathers rows by the int64 label and
 * concatenates ({@code Gather → Concat}).
 *
 * @param input the side input holding the labels (usually {@code label})
 */
public record LabelEmbedding(String name, String input, int classes, int dim) implements Layer {

  public LabelEmbedding {
    Layers.requirePositive(name, "classes", classes);
    Layers.requirePositive(name, "dim", dim);
  }

  public String weight() {
    return name + ".weight";
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    declarations.trainable(weight(), Init.normal(0f, 1f), classes, dim);
  }

  @Override
  public NDArray forward(Forward pass, NDArray x) {
    NDArray embedded = pass.sideInput(input).matMul(pass.parameter(weight())); // [N, dim]
    return NDArrays.concat(new NDList(x, embedded), 1);
  }

  @Override
  public String export(OnnxExport export, String x) {
    String embedded = export.node("Gather", name, new String[] {export.parameter(weight()),
        export.sideInput(input)}, Layers.attribute("axis", 0L));
    return export.node("Concat", name + "_concat", new String[] {x, embedded},
        Layers.attribute("axis", 1L));
  }
}
