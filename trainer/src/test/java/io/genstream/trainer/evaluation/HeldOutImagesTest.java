package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeldOutImagesTest {

  @Test
  void holdsOutAboutOneRecordInEveryAndAlwaysTheSameOnes() {
    HeldOutImages first = new HeldOutImages(10, 100, 10, 1);
    HeldOutImages second = new HeldOutImages(10, 100, 10, 99); // the seed is the reservoir's
    int heldOut = 0;
    for (long offset = 0; offset < 100_000; offset++) {
      boolean chosen = first.isHeldOut("image-" + (offset % 977), (int) (offset % 3), offset);
      assertThat(second.isHeldOut("image-" + (offset % 977), (int) (offset % 3), offset))
          .isEqualTo(chosen);
      heldOut += chosen ? 1 : 0;
    }
    assertThat(heldOut).isBetween(9_500, 10_500);
  }

  @Test
  void theChoiceDependsOnKeyPartitionAndOffset() {
    HeldOutImages held = new HeldOutImages(2, 100, 1, 1);
    int differ = 0;
    for (long offset = 0; offset < 1000; offset++) {
      boolean a = held.isHeldOut("k", 0, offset);
      differ += a != held.isHeldOut("other", 0, offset) ? 1 : 0;
      differ += a != held.isHeldOut("k", 1, offset) ? 1 : 0;
      differ += a != held.isHeldOut(null, 0, offset) ? 1 : 0;
    }
    assertThat(differ).isBetween(1200, 1800); // about half of 3000, as independent choices
  }

  @Test
  void keepsAtMostItsCapacityBalancedOverClasses() {
    HeldOutImages held = new HeldOutImages(10, 50, 5, 1);
    for (int i = 0; i < 10_000; i++) {
      held.add(i % 5, new float[] {i});
    }
    assertThat(held.size()).isEqualTo(50);
    assertThat(held.snapshot()).extracting(RealImage::label)
        .containsOnly(0, 1, 2, 3, 4)
        .filteredOn(label -> label == 3).hasSize(10);
    assertThatThrownBy(() -> new HeldOutImages(1, 50, 5, 1))
        .hasMessageContaining("holdOutEvery must be 2..1000");
  }
}
