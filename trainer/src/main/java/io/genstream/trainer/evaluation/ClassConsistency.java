package io.genstream.trainer.evaluation;

import java.util.Arrays;

/**
 * Class consistency of a conditional generator: the share of generated images whose predicted class
 * — the argmax of a classifier's scores (logits or probabilities; ties go to the lowest class) — is
 * the label that was requested.
 *
 * <p>Read it against the classifier's own accuracy on real images: a generator cannot score above
 * the classifier that judges it. 1/classes is what a generator that ignores the label scores with
 * balanced requests. Time O(n·classes), memory O(classes).
 *
 * @param overall share of all generated images classified as requested, in [0, 1]
 * @param perClass for each class c, the share of images requested as c that were classified as c,
 *     in [0, 1]; {@code NaN} for a class never requested (copied on the way in and out)
 * @param requested for each class, how many images were requested with it (copied likewise)
 */
public record ClassConsistency(double overall, double[] perClass, int[] requested) {

  public ClassConsistency {
    perClass = perClass.clone();
    requested = requested.clone();
  }

  @Override
  public double[] perClass() {
    return perClass.clone();
  }

  @Override
  public int[] requested() {
    return requested.clone();
  }

  /**
   * Scores {@code n} generated images.
   *
   * @param requestedLabels the label each image was generated for, each in 0..classes−1
   * @param scores row-major n×classes classifier scores of the generated images
   * @param classes number of classes, ≥ 2
   * @throws IllegalArgumentException if the shapes disagree, no image is given, a label is out of
   *     range or a score is NaN
   */
  public static ClassConsistency of(int[] requestedLabels, float[] scores, int classes) {
    int n = requestedLabels.length;
    if (classes < 2) {
      throw new IllegalArgumentException("classes must be ≥ 2, got " + classes);
    }
    if (n == 0 || scores.length != n * classes) {
      throw new IllegalArgumentException(
          "scores must hold "
              + n
              + " × "
              + classes
              + " values for "
              + n
              + " labels (n ≥ 1), got "
              + scores.length);
    }
    int[] requested = new int[classes];
    int[] hits = new int[classes];
    for (int i = 0; i < n; i++) {
      int label = requestedLabels[i];
      if (label < 0 || label >= classes) {
        throw new IllegalArgumentException(
            "label " + i + " must be 0.." + (classes - 1) + ", got " + label);
      }
      requested[label]++;
      if (argmax(scores, i * classes, classes, i) == label) {
        hits[label]++;
      }
    }
    double[] perClass = new double[classes];
    int total = 0;
    for (int c = 0; c < classes; c++) {
      perClass[c] = requested[c] == 0 ? Double.NaN : (double) hits[c] / requested[c];
      total += hits[c];
    }
    return new ClassConsistency((double) total / n, perClass, requested);
  }

  private static int argmax(float[] scores, int offset, int classes, int row) {
    int best = 0;
    for (int c = 0; c < classes; c++) {
      float s = scores[offset + c];
      if (Float.isNaN(s)) {
        throw new IllegalArgumentException("score of image " + row + ", class " + c + " is NaN");
      }
      if (s > scores[offset + best]) {
        best = c;
      }
    }
    return best;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ClassConsistency other
        && Double.compare(overall, other.overall) == 0
        && Arrays.equals(perClass, other.perClass)
        && Arrays.equals(requested, other.requested);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * Double.hashCode(overall) + Arrays.hashCode(perClass))
        + Arrays.hashCode(requested);
  }

  @Override
  public String toString() {
    return "ClassConsistency[overall="
        + overall
        + ", perClass="
        + Arrays.toString(perClass)
        + ", requested="
        + Arrays.toString(requested)
        + "]";
  }
}
