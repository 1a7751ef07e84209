package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLoader;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.ModelSpec.Family;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Micro-batching must not change a result: an image computed alone and the same image computed
 * as row 0 of a batch of 64 (ONNX Runtime may pick other kernels per batch size) are the same
 * bytes, for the exported networks of the real families.
 */
class BatchInvarianceTest {

  @ParameterizedTest
  @EnumSource(value = Family.class, names = {"CGAN", "DCGAN", "VAE"})
  void anImageIsTheSameAloneAndInABatchOf64(Family family) {
    ModelSpec spec = ModelSpec.defaults(family);
    Exported exported;
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      exported = model.export();
    }
    Exported.Graph graph = exported.generator();
    ModelManifest manifest = new ModelManifest("m", 1, 0, family.id(), spec.channels(),
        spec.imageSize(), spec.imageSize(), spec.latentDim(),
        family == Family.CGAN ? spec.numClasses() : 0, graph.inputs(), graph.outputs(),
        PublishedModel.sha256(graph.onnx()), 0, Map.of());
    try (GenerativeModel model = ModelLoader.onnxRuntime(1).load(new PublishedModel(manifest, graph.onnx()))) {
      int batch = 64;
      Random random = new Random(7);
      float[] latents = new float[batch * spec.latentDim()];
      for (int i = 0; i < latents.length; i++) {
        latents[i] = (float) random.nextGaussian();
      }
      long[] labels = new long[batch];
      for (int i = 0; i < batch; i++) {
        labels[i] = manifest.conditional() ? i % spec.numClasses() : -1;
      }
      float[] all = model.generate(latents, labels, batch);
      int pixels = spec.channels() * spec.imageSize() * spec.imageSize();
      for (int row : new int[] {0, 17, 63}) {
        float[] alone = model.generate(
            Arrays.copyOfRange(latents, row * spec.latentDim(), (row + 1) * spec.latentDim()),
            new long[] {labels[row]}, 1);
        float[] inBatch = Arrays.copyOfRange(all, row * pixels, (row + 1) * pixels);
        float maxDiff = 0;
        for (int p = 0; p < pixels; p++) {
          maxDiff = Math.max(maxDiff, Math.abs(alone[p] - inBatch[p]));
        }
        System.out.printf("%s row %d: max |alone - in batch| = %.3g%n", family, row, maxDiff);
        assertThat(ImageTensor.fromSymmetricUnit(alone, 0, spec.channels(), spec.imageSize(),
                spec.imageSize()).chw())
            .as("%s row %d as uint8", family, row)
            .isEqualTo(ImageTensor.fromSymmetricUnit(inBatch, 0, spec.channels(),
                spec.imageSize(), spec.imageSize()).chw());
      }
    }
  }
}
