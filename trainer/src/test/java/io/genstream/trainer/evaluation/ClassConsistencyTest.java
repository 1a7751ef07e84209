package io.genstream.trainer.evaluation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClassConsistencyTest {

  @Test
  void sharesPerClassAndOverallMatchHandCount() {
    // 4 classes; class 3 never requested.
    // image 0: requested 0, argmax 0 ✓      image 3: requested 1, argmax 2 ✗
    // image 1: requested 0, argmax 1 ✗      image 4: requested 2, argmax 2 ✓
    // image 2: requested 1, argmax 1 ✓      image 5: requested 2, argmax 2 ✓ (negative logits)
    // per class 1/2, 1/2, 2/2, NaN; overall 4/6.
    int[] requested = {0, 0, 1, 1, 2, 2};
    float[] scores =
        rows(
            new float[] {5, 1, 0, 0},
            new float[] {0.2f, 0.7f, 0.1f, 0},
            new float[] {0, 3, 2, 1},
            new float[] {0, 0.1f, 0.9f, 0},
            new float[] {1, 2, 3, -1},
            new float[] {-3, -2, -1, -5});

    ClassConsistency result = ClassConsistency.of(requested, scores, 4);

    assertThat(result.overall()).isEqualTo(4.0 / 6);
    assertThat(result.perClass()).containsExactly(0.5, 0.5, 1.0, Double.NaN);
    assertThat(result.requested()).containsExactly(2, 2, 2, 0);
  }

  @Test
  void tiesGoToTheLowestClass() {
    // Equal scores: argmax is class 0, so requesting 0 counts and requesting 1 does not.
    ClassConsistency result = ClassConsistency.of(new int[] {0, 1}, new float[] {1, 1, 1, 1}, 2);

    assertThat(result.perClass()).containsExactly(1.0, 0.0);
    assertThat(result.overall()).isEqualTo(0.5);
  }

  @Test
  void generatorIgnoringTheLabelScoresOneOverClassesOnBalancedRequests() {
    // Every image classified as class 0 whatever was asked, 10 requests per class.
    int classes = 5;
    int[] requested = new int[50];
    float[] scores = new float[50 * classes];
    for (int i = 0; i < requested.length; i++) {
      requested[i] = i % classes;
      scores[i * classes] = 1;
    }

    assertThat(ClassConsistency.of(requested, scores, classes).overall()).isEqualTo(0.2);
  }

  @Test
  void resultIsNotChangedThroughItsArrays() {
    ClassConsistency result = ClassConsistency.of(new int[] {0}, new float[] {1, 0}, 2);
    result.perClass()[0] = 7;
    result.requested()[0] = 7;

    assertThat(result.perClass()[0]).isEqualTo(1.0);
    assertThat(result.requested()[0]).isEqualTo(1);
  }

  @Test
  void rejectsBadShapesLabelsAndScores() {
    assertThatThrownBy(() -> ClassConsistency.of(new int[] {0, 1}, new float[3], 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("scores must hold 2 × 2 values for 2 labels (n ≥ 1), got 3");
    assertThatThrownBy(() -> ClassConsistency.of(new int[] {2}, new float[2], 2))
        .hasMessage("label 0 must be 0..1, got 2");
    assertThatThrownBy(() -> ClassConsistency.of(new int[] {0}, new float[] {0, Float.NaN}, 2))
        .hasMessage("score of image 0, class 1 is NaN");
    assertThatThrownBy(() -> ClassConsistency.of(new int[] {0}, new float[1], 1))
        .hasMessage("classes must be ≥ 2, got 1");
  }

  /** Row-major concatenation of one score row per image. */
  private static float[] rows(float[]... rows) {
    float[] out = new float[rows.length * rows[0].length];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(rows[i], 0, out, i * rows[i].length, rows[i].length);
    }
    return out;
  }
}
