/**
 * ONNX export over {@code ai.onnx.proto.OnnxMl} (tribuo-util-onnx): a small
 * {@link io.genstream.trainer.onnx.OnnxGraphBuilder} and the cgan generator exporter. Opset 17,
 * IR version 8, FLOAT initializers as little-endian raw data, symbolic batch dimension {@code N}.
 */
package io.genstream.trainer.onnx;
