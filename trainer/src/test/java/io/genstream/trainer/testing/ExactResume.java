package io.genstream.trainer.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import java.util.List;

/**
 * The exact-resume check every family owes: training 2N steps straight and N steps, restore, N
 * steps on the same batches end with the same state (every tensor within 1e-5, same counters).
 */
public final class ExactResume {

  private ExactResume() {}

  /**
   * @param batches 2N batches
   * @return the resumed run's final state, for family-specific checks of its parts
   */
  public static TrainingState assertResumesExactly(ModelSpec spec, List<Batch> batches) {
    int n = batches.size() / 2;
    TrainingState straight;
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      batches.forEach(model::step);
      straight = model.state();
    }
    TrainingState halfway;
    try (ModelFamily model = ModelFamily.create(spec, null)) {
      batches.subList(0, n).forEach(model::step);
      halfway = model.state();
    }
    TrainingState resumed;
    try (ModelFamily model = ModelFamily.create(spec, halfway)) {
      assertThat(model.steps()).isEqualTo(n);
      batches.subList(n, 2 * n).forEach(model::step);
      resumed = model.state();
    }
    assertThat(resumed.steps()).isEqualTo(straight.steps()).isEqualTo(2L * n);
    assertThat(resumed.counters()).isEqualTo(straight.counters());
    assertThat(resumed.tensors().keySet()).isEqualTo(straight.tensors().keySet());
    straight.tensors().forEach((name, values) -> assertThat(
        OrtRun.maxAbsDifference(values, resumed.tensors().get(name))).as(name)
        .isLessThanOrEqualTo(1e-5));
    return resumed;
  }
}
