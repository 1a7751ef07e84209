package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;

/**
 * The projection discriminator's output (Miyato &amp; Koyama 2018): {@code linear(h) +
 * <embed(y), h>} over features {@code h [N, F]}, giving {@code [N, 1]}. The linear term judges
 * realism regardless of class, the inner product with the class embedding makes the score
 * class-conditional. Parameters {@code <name>.weight [1, F]}, {@code <name>.bias [1]},
 * {@code <name>.embedding [classes, F]}.
 */
public record ProjectionHead(String name, String input, int features, int classes)
    implements Layer {

  public ProjectionHead {
    Layers.requirePositive(name, "features", features);
    Layers.requirePositive(name, "classes", classes);
  }

  private Linear linear() {
    return new Linear(name, features, 1);
  }

  public String embedding() {
    return name + ".embedding";
  }

  @Override
  public void declare(ParameterDeclarations declarations) {
    linear().declare(declarations);
    declarations.trainable(embedding(), Init.normal(0f, 0.02f), classes, features);
  }

  @Override
  public NDArray forward(Forward pass, NDArray h) {
    NDArray unconditional = linear().forward(pass, h); // [N, 1]
    NDArray classEmbedding = pass.sideInput(input).matMul(pass.parameter(embedding())); // [N, F]
    NDArray conditional = classEmbedding.mul(h).sum(new int[] {1}, true); // [N, 1]
    return unconditional.add(conditional);
  }

  @Override
  public String export(OnnxExport export, String h) {
    String unconditional = linear().export(export, h);
    String classEmbedding = export.node("Gather", name + "_class", new String[] {
        export.parameter(embedding()), export.sideInput(input)}, Layers.attribute("axis", 0L));
    String product = export.node("Mul", name + "_product", new String[] {classEmbedding, h});
    String axes = export.constant(name + "_axes", new long[] {1}, 1);
    String conditional = export.node("ReduceSum", name + "_conditional",
        new String[] {product, axes}, Layers.attribute("keepdims", 1L));
    return export.node("Add", name + "_score", new String[] {unconditional, conditional});
  }
}
