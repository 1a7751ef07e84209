package io.genstream.trainer.onnx;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * A small builder for ONNX graphs over the raw protobuf classes: initializers from Java arrays,
 * nodes with attributes, graph inputs and outputs whose dimensions are numbers or symbolic names
 * (such as a batch dimension {@code "N"}).
 *
 * <p>Writes opset {@value #OPSET} with IR version {@value #IR_VERSION} (what ONNX Runtime 1.x and
 * the Debian onnx checker both accept) and FLOAT/INT64 initializers as little-endian
 * {@code raw_data}. Names must be unique; the builder checks this so that a typo fails at export
 * rather than as an obscure ONNX Runtime load error. Not thread-safe; one builder per export.
 */
public final class OnnxGraphBuilder {

  public static final int OPSET = 17;
  public static final int IR_VERSION = 8;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private final Set<String> names = new HashSet<>();
  private int nodeCount;

  public OnnxGraphBuilder(String graphName) {
    graph.setName(graphName);
  }

  /**
   * Declares a graph input.
   *
   * @param elementType e.g. {@link TensorProto.DataType#FLOAT}
   * @param dims each a {@link Number} (fixed size) or a {@link String} (symbolic, e.g. "N")
   */
  public OnnxGraphBuilder input(String name, TensorProto.DataType elementType, Object... dims) {
    claim(name);
    graph.addInput(valueInfo(name, elementType, dims));
    return this;
  }

  /** Declares a graph output; {@code name} must be produced by a node. */
  public OnnxGraphBuilder output(String name, TensorProto.DataType elementType, Object... dims) {
    graph.addOutput(valueInfo(name, elementType, dims));
    return this;
  }

  /**
   * Adds a FLOAT initializer.
   *
   * @throws IllegalArgumentException if {@code values} does not have the shape's element count
   */
  public String initializer(String name, float[] values, long... shape) {
    checkSize(name, values.length, shape);
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    return addInitializer(name, TensorProto.DataType.FLOAT, bytes, shape);
  }

  /** Adds an INT64 initializer (shapes, indices). */
  public String initializer(String name, long[] values, long... shape) {
    checkSize(name, values.length, shape);
    ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asLongBuffer().put(values);
    return addInitializer(name, TensorProto.DataType.INT64, bytes, shape);
  }

  /**
   * Adds a node with one output.
   *
   * @param inputs input names; {@code ""} marks an omitted optional input
   * @return {@code output}, for chaining into the next node
   */
  public String node(String opType, String output, String[] inputs, AttributeProto... attributes) {
    claim(output);
    NodeProto.Builder node = NodeProto.newBuilder()
        .setOpType(opType)
        .setName(opType + "_" + nodeCount++)
        .addOutput(output);
    for (String input : inputs) {
      node.addInput(input);
    }
    for (AttributeProto attribute : attributes) {
      node.addAttribute(attribute);
    }
    graph.addNode(node);
    return output;
  }

  /** Adds a node with several outputs (Split, for example). */
  public String[] node(String opType, String[] outputs, String[] inputs,
      AttributeProto... attributes) {
    NodeProto.Builder node = NodeProto.newBuilder()
        .setOpType(opType)
        .setName(opType + "_" + nodeCount++);
    for (String output : outputs) {
      claim(output);
      node.addOutput(output);
    }
    for (String input : inputs) {
      node.addInput(input);
    }
    for (AttributeProto attribute : attributes) {
      node.addAttribute(attribute);
    }
    graph.addNode(node);
    return outputs;
  }

  /** The finished model. The builder should not be used afterwards. */
  public ModelProto build(String producerName, String producerVersion) {
    return ModelProto.newBuilder()
        .setIrVersion(IR_VERSION)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setProducerName(producerName)
        .setProducerVersion(producerVersion)
        .setGraph(graph)
        .build();
  }

  public static AttributeProto attribute(String name, long value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT)
        .setI(value).build();
  }

  public static AttributeProto attribute(String name, float value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
        .setF(value).build();
  }

  public static AttributeProto attribute(String name, String value) {
    return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
        .setS(ByteString.copyFrom(value, StandardCharsets.UTF_8)).build();
  }

  public static AttributeProto attribute(String name, long... values) {
    AttributeProto.Builder builder =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long value : values) {
      builder.addInts(value);
    }
    return builder.build();
  }

  private String addInitializer(String name, TensorProto.DataType type, ByteBuffer littleEndian,
      long... shape) {
    claim(name);
    TensorProto.Builder tensor = TensorProto.newBuilder()
        .setName(name)
        .setDataType(type.getNumber())
        .setRawData(ByteString.copyFrom(littleEndian.array()));
    for (long dim : shape) {
      tensor.addDims(dim);
    }
    graph.addInitializer(tensor);
    return name;
  }

  private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Object dim : dims) {
      TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
      if (dim instanceof String symbol) {
        d.setDimParam(symbol);
      } else if (dim instanceof Number size) {
        d.setDimValue(size.longValue());
      } else {
        throw new IllegalArgumentException(
            "dimension of " + name + " must be a Number or a String, got " + dim);
      }
      shape.addDim(d);
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(
            TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape)))
        .build();
  }

  private void claim(String name) {
    if (name.isEmpty() || !names.add(name)) {
      throw new IllegalArgumentException("ONNX value name '" + name + "' is empty or already used");
    }
  }

  private static void checkSize(String name, int length, long... shape) {
    long expected = 1;
    for (long dim : shape) {
      expected *= dim;
    }
    if (expected != length) {
      throw new IllegalArgumentException("initializer " + name + ": shape "
          + java.util.Arrays.toString(shape) + " needs " + expected + " values, got " + length);
    }
  }
}
