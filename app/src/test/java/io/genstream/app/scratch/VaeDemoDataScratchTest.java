package io.genstream.app.scratch;

import io.genstream.core.image.Png;
import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.synthetic.SyntheticDigits;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.StepResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VaeDemoDataScratchTest {
  @Test
  void scratch() {
    ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.VAE).with(Map.of("seed", "1", "generatorLearningRate", System.getProperty("lr", "0.001")));
    io.genstream.trainer.nn.Engine.setIntraOpThreads(2);
    var it = new SyntheticDigits(28, 1).images().toIterable().iterator();
    ModelFamily model = ModelFamily.create(spec, null);
    java.util.concurrent.ExecutorService ex = java.util.concurrent.Executors.newSingleThreadExecutor();
    try {
      ex.submit(() -> {
      for (int i = 0; i < Integer.getInteger("steps", 80); i++) {
        float[] images = new float[64 * 784];
        int[] labels = new int[64];
        for (int j = 0; j < 64; j++) {
          LabelledImage li = it.next();
          labels[j] = li.label();
          System.arraycopy(Png.decode(li.png()).toSymmetricUnit(), 0, images, j * 784, 784);
        }
        if (i < 3) { double sum = 0; for (float v : images) sum += v; System.out.println("STEP DEBUG sum " + sum + " " + java.util.Arrays.toString(java.util.Arrays.copyOf(labels, 8))); }
        StepResult r = model.step(new Batch(images, labels));
        if (i % 5 == 0 || i < 4) System.out.println("STEP " + i + " " + r.metrics());
      }
      return null;
      }).get();
    } catch (Exception e) { throw new RuntimeException(e); } finally { ex.shutdown(); model.close(); }
  }
}
