package io.genstream.generator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader.ExecutionProvider;
import io.genstream.generator.TinyGenerator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Execution providers: CUDA asked for on a machine (or runtime build) without it. */
class OnnxModelLoaderTest {

  private final List<String> warnings = new CopyOnWriteArrayList<>();

  @Test
  void cudaWithoutACudaRuntimeFallsBackToTheCpuOnceWithOneWarning() {
    assumeFalse(OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA),
        "this runtime has CUDA: the fallback cannot be exercised here");
    OnnxModelLoader loader = new OnnxModelLoader(1, ExecutionProvider.CUDA, 0, warnings::add);
    assertThat(loader.executionProvider()).isEqualTo(ExecutionProvider.CUDA);

    try (GenerativeModel first = loader.load(TinyGenerator.published(1, 1f));
        GenerativeModel second = loader.load(TinyGenerator.published(2, 2f))) {
      float[] z = {1, 1, 1, 1};
      assertThat(first.generate(z, new long[] {3}, 1))
          .containsExactly(TinyGenerator.reference(z, 0, 3, 1f), within(1e-5f));
      assertThat(second.generate(z, new long[] {3}, 1))
          .containsExactly(TinyGenerator.reference(z, 0, 3, 2f), within(1e-5f));
      assertThat(((OnnxGenerativeModel) first).executionProvider()).isEqualTo(ExecutionProvider.CPU);
      assertThat(((OnnxGenerativeModel) second).executionProvider()).isEqualTo(ExecutionProvider.CPU);
    }

    assertThat(loader.executionProvider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(warnings).hasSize(1);
    assertThat(warnings.get(0))
        .startsWith("CUDA execution provider unavailable on device 0 (")
        .endsWith("); running this and every later session on the CPU");
  }

  @Test
  void cpuIsTheDefaultAndNeverWarns() {
    OnnxModelLoader loader = new OnnxModelLoader(1, ExecutionProvider.CPU, 0, warnings::add);

    try (GenerativeModel model = loader.load(TinyGenerator.published(1, 1f))) {
      assertThat(((OnnxGenerativeModel) model).executionProvider()).isEqualTo(ExecutionProvider.CPU);
    }
    assertThat(new OnnxModelLoader(1).executionProvider()).isEqualTo(ExecutionProvider.CPU);
    assertThat(warnings).isEmpty();
  }

  @Test
  void providerNamesAndDeviceIdsAreChecked() {
    assertThat(ExecutionProvider.parse("cuda")).isEqualTo(ExecutionProvider.CUDA);
    assertThat(ExecutionProvider.parse("CPU")).isEqualTo(ExecutionProvider.CPU);
    assertThatThrownBy(() -> ExecutionProvider.parse("rocm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("executionProvider must be cpu or cuda, got 'rocm'");
    assertThatThrownBy(() -> new OnnxModelLoader(1, ExecutionProvider.CUDA, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("deviceId must be >= 0, got -1");
  }
}
