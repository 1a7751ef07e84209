package io.genstream.trainer.nn;

import ai.onnx.proto.OnnxMl.AttributeProto;
import io.genstream.trainer.onnx.OnnxGraphBuilder;

/** Argument checks and ONNX attributes shared by the layers. */
final class Layers {

  private Layers() {}

  static void requirePositive(String layer, String field, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(layer + ": " + field + " must be >= 1, got " + value);
    }
  }

  static AttributeProto attribute(String name, long value) {
    return OnnxGraphBuilder.attribute(name, value);
  }

  static AttributeProto attribute(String name, float value) {
    return OnnxGraphBuilder.attribute(name, value);
  }

  static AttributeProto attribute(String name, String value) {
    return OnnxGraphBuilder.attribute(name, value);
  }

  static AttributeProto attribute(String name, long... values) {
    return OnnxGraphBuilder.attribute(name, values);
  }
}
