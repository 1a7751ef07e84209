package io.genstream.trainer.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.trainer.onnx.OnnxGraphBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A network defined once: its graph inputs, a body of {@link Layer}s and its outputs. The same
 * definition declares the parameters (training, checkpoints), runs the DJL forward pass and
 * exports ONNX: the exporter is a walk over the body, not a second model.
 *
 * <p>The first input is the body's input; the others are side inputs that layers read by name
 * (a class label). Several outputs split the body's result along axis 1 into equal parts (a VAE
 * encoder's {@code [N, 2L] → mu, logvar}). Shapes use -1 for the batch dimension, exported as the
 * symbolic dimension {@code N}. Immutable and thread-safe.
 */
public final class Network {

  private static final String BATCH = "N";

  private final String name;
  private final Map<String, TensorSpec> inputs;
  private final Layer body;
  private final Map<String, TensorSpec> outputs;
  private final List<ParameterSpec> parameters;

  /**
   * @param inputs graph inputs in order, the first one the body's (float), the rest side inputs
   * @param outputs graph outputs; with several, the body's output is split along axis 1
   */
  public Network(String name, Map<String, TensorSpec> inputs, Layer body,
      Map<String, TensorSpec> outputs) {
    this.name = Objects.requireNonNull(name, "name");
    if (inputs.isEmpty() || outputs.isEmpty()) {
      throw new IllegalArgumentException(name + ": a network needs inputs and outputs");
    }
    this.inputs = new LinkedHashMap<>(inputs);
    this.body = Objects.requireNonNull(body, "body");
    this.outputs = new LinkedHashMap<>(outputs);
    this.parameters = ParameterDeclarations.of(body);
  }

  /** A float tensor spec, -1 for the batch dimension. */
  public static TensorSpec floats(long... shape) {
    return new TensorSpec("float", shape);
  }

  /** An int64 tensor spec, -1 for the batch dimension. */
  public static TensorSpec int64s(long... shape) {
    return new TensorSpec("int64", shape);
  }

  public String name() {
    return name;
  }

  public Layer body() {
    return body;
  }

  /** Graph inputs in order (unmodifiable). */
  public Map<String, TensorSpec> inputs() {
    return java.util.Collections.unmodifiableMap(inputs);
  }

  /** Graph outputs in order (unmodifiable). */
  public Map<String, TensorSpec> outputs() {
    return java.util.Collections.unmodifiableMap(outputs);
  }

  /** Every parameter the body declares, in declaration order. */
  public List<ParameterSpec> parameters() {
    return parameters;
  }

  /** The body's output for {@code x} (before any split into several outputs). */
  public NDArray forward(Forward pass, NDArray x) {
    return body.forward(pass, x);
  }

  /** The network's outputs in order: the body's output, split along axis 1 if there are several. */
  public NDList forwardOutputs(Forward pass, NDArray x) {
    NDArray y = forward(pass, x);
    return outputs.size() == 1 ? new NDList(y) : y.split(outputs.size(), 1);
  }

  /**
   * The ONNX model (opset {@value OnnxGraphBuilder#OPSET}, IR {@value OnnxGraphBuilder#IR_VERSION})
   * computing the inference-mode forward pass with {@code weights} baked in.
   *
   * @param weights values of every parameter by full name (a snapshot, EMA weights, …)
   */
  public byte[] export(Map<String, float[]> weights) {
    OnnxGraphBuilder graph = new OnnxGraphBuilder(name);
    Map<String, String> sideInputs = new LinkedHashMap<>();
    String first = null;
    for (Map.Entry<String, TensorSpec> input : inputs.entrySet()) {
      graph.input(input.getKey(), type(input.getValue()), dims(input.getValue()));
      if (first == null) {
        first = input.getKey();
      } else {
        sideInputs.put(input.getKey(), input.getKey());
      }
    }
    OnnxExport export = new OnnxExport(graph, parameters, weights, sideInputs);
    String y = body.export(export, first);
    List<String> names = new ArrayList<>(outputs.keySet());
    if (names.size() == 1) {
      graph.node("Identity", names.get(0), new String[] {y});
    } else {
      graph.node("Split", names.toArray(String[]::new), new String[] {y},
          OnnxGraphBuilder.attribute("axis", 1L));
    }
    outputs.forEach((output, spec) -> graph.output(output, type(spec), dims(spec)));
    return graph.build("genstream-trainer", "0.2").toByteArray();
  }

  private static TensorProto.DataType type(TensorSpec spec) {
    return switch (spec.type()) {
      case "float" -> TensorProto.DataType.FLOAT;
      case "int64" -> TensorProto.DataType.INT64;
      default -> throw new IllegalArgumentException("unsupported tensor type " + spec.type());
    };
  }

  private static Object[] dims(TensorSpec spec) {
    long[] shape = spec.shape();
    Object[] dims = new Object[shape.length];
    for (int i = 0; i < shape.length; i++) {
      dims[i] = shape[i] < 0 ? BATCH : (Object) shape[i];
    }
    return dims;
  }
}
