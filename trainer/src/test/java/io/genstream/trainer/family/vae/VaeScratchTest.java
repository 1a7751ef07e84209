package io.genstream.trainer.family.vae;

import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.testing.TestBatches;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VaeScratchTest {
  @Test
  void scratch() {
    String over = System.getProperty("over", "");
    ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.VAE);
    if (!over.isEmpty()) {
      java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
      for (String kv : over.split(";")) { String[] p = kv.split("="); m.put(p[0], p[1]); }
      spec = spec.with(m);
    }
    TestBatches data = new TestBatches(spec, 1);
    io.genstream.trainer.nn.Engine.setIntraOpThreads(Integer.getInteger("threads", 1));
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      for (int i = 0; i < 120; i++) {
        StepResult r = model.step(data.next(spec.batchSize()));
        if (i % 10 == 0) System.out.println("STEP " + i + " " + r.metrics());
      }
    }
  }
}
