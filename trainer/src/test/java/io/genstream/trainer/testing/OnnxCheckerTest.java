package io.genstream.trainer.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import io.genstream.trainer.onnx.OnnxGraphBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The checker has teeth: a valid graph passes, a contradictory output shape does not. */
class OnnxCheckerTest {

  private static byte[] identity(long outputWidth) {
    OnnxGraphBuilder graph = new OnnxGraphBuilder("identity");
    graph.input("x", DataType.FLOAT, "N", 3L);
    graph.node("Identity", "y", new String[] {"x"});
    graph.output("y", DataType.FLOAT, "N", outputWidth);
    return graph.build("test", "0").toByteArray();
  }

  @Test
  void acceptsAValidGraphAndRejectsAContradictoryShape() throws Exception {
    Assumptions.assumeTrue(OnnxChecker.available(), "python3 with onnx is not installed");
    assertThatCode(() -> OnnxChecker.check(identity(3))).doesNotThrowAnyException();
    assertThatThrownBy(() -> OnnxChecker.check(identity(4))).isInstanceOf(AssertionError.class)
        .hasMessageContaining("onnx.checker rejects");
    assertThatThrownBy(() -> OnnxChecker.check(new byte[] {1, 2, 3}))
        .isInstanceOf(AssertionError.class);
  }
}
