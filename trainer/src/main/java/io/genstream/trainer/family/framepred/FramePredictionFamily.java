package io.genstream.trainer.family.framepred;

import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.Exported;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.StepResult;
import io.genstream.trainer.family.TrainingState;
import java.util.Map;

/** Placeholder: family framepred is not built yet. */
public final class FramePredictionFamily implements ModelFamily {

  public FramePredictionFamily(ModelSpec spec) {
    throw new UnsupportedOperationException("family framepred is not built yet");
  }

  @Override public ModelSpec spec() { throw new UnsupportedOperationException(); }
  @Override public int imagesPerStep() { throw new UnsupportedOperationException(); }
  @Override public StepResult step(Batch batch) { throw new UnsupportedOperationException(); }
  @Override public long steps() { throw new UnsupportedOperationException(); }
  @Override public Exported export() { throw new UnsupportedOperationException(); }
  @Override public float[] sample(float[] latents, long[] labels) { throw new UnsupportedOperationException(); }
  @Override public TrainingState state() { throw new UnsupportedOperationException(); }
  @Override public void restore(TrainingState state) { throw new UnsupportedOperationException(); }
  @Override public Map<String, Long> parameterCounts() { throw new UnsupportedOperationException(); }
  @Override public int nativeArrayCount() { throw new UnsupportedOperationException(); }
  @Override public void close() {}
}
