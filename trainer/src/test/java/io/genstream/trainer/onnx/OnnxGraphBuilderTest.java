package io.genstream.trainer.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OnnxGraphBuilderTest {

  @Test
  void buildsARunnableGraphWithLittleEndianInitializers() throws Exception {
    OnnxGraphBuilder g = new OnnxGraphBuilder("affine");
    g.input("x", TensorProto.DataType.FLOAT, "N", 2);
    String w = g.initializer("w", new float[] {1, 2, 3, 4, 5, 6}, 3, 2);
    String b = g.initializer("b", new float[] {0.5f, 0, -0.5f}, 3);
    g.node("Gemm", "y", new String[] {"x", w, b}, OnnxGraphBuilder.attribute("transB", 1L));
    g.output("y", TensorProto.DataType.FLOAT, "N", 3);
    byte[] bytes = g.build("test", "1").toByteArray();

    ModelProto model = ModelProto.parseFrom(bytes);
    assertThat(model.getGraph().getInitializer(0).getRawData().asReadOnlyByteBuffer()
        .order(ByteOrder.LITTLE_ENDIAN).getFloat(4)).isEqualTo(2f);
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(bytes, options);
        OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1, 1, 0, 1}),
            new long[] {2, 2});
        OrtSession.Result result = session.run(Map.of("x", x))) {
      float[][] y = (float[][]) result.get(0).getValue();
      assertThat(y[0]).containsExactly(3.5f, 7f, 10.5f);
      assertThat(y[1]).containsExactly(2.5f, 4f, 5.5f);
    }
  }

  @Test
  void rejectsDuplicateNamesAndWrongInitializerSizes() {
    OnnxGraphBuilder g = new OnnxGraphBuilder("bad");
    g.input("x", TensorProto.DataType.FLOAT, "N");

    assertThatThrownBy(() -> g.initializer("x", new float[] {1}, 1))
        .hasMessageContaining("'x' is empty or already used");
    assertThatThrownBy(() -> g.initializer("w", new float[] {1, 2, 3}, 2, 2))
        .hasMessageContaining("shape [2, 2] needs 4 values, got 3");
    assertThatThrownBy(() -> g.input("y", TensorProto.DataType.FLOAT, 1.5f, ByteBuffer.allocate(1)))
        .hasMessageContaining("must be a Number or a String");
  }
}
