package io.genstream.trainer.family.augment;

import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import java.util.Map;

/**
 * The augmentation probability p and ADA's overfitting heuristic (Karras et al. 2020, "Training
 * Generative Adversarial Networks with Limited Data"): {@code r_t = E[sign(D(real) − b)]} over
 * the real images of the last {@value #INTERVAL} discriminator updates, with {@code b} the
 * objective's decision boundary (0 for logits). r_t near 1 means D is sure of every training
 * image: it has learnt them by heart. With an adaptive p, after each interval
 * {@code p ← clamp(p + sign(r_t − target) · images / adaImages, 0, 1)}, so p can go from 0 to
 * 1 in {@code adaImages} real images (ADA: 500 000 over runs of tens of millions; our runs are
 * minutes, a few hundred thousand images, so the default is 20 000). With a fixed p, r_t is
 * measured and reported all the same.
 *
 * <p>Part of its model's training state: {@link #save} and {@link #restore} keep p, the last
 * r_t and the interval in progress, so a restored model continues with exactly the same p. Not
 * thread-safe; lives on the training thread.
 */
public final class AugmentProbability {

  /** Discriminator updates per adjustment (ADA's {@code ada_interval}). */
  public static final int INTERVAL = 4;

  static final String TENSOR = "augment/probability";
  static final String SIGN_SUM = "augment.signSum";
  static final String SEEN = "augment.seen";
  static final String UPDATES = "augment.updates";

  private final boolean adaptive;
  private final float target;
  private final int rampImages;
  private final float boundary;
  private float p;
  private float lastOverfitting = Float.NaN;
  private long signSum;
  private long seen;
  private long updates;

  /**
   * @param boundary the score above which D calls an image real (see {@code GanLosses})
   */
  public AugmentProbability(ModelSpec spec, float boundary) {
    this(spec.adaptiveAugmentation(), spec.initialAugmentProbability(), spec.adaTarget(),
        spec.adaImages(), boundary);
  }

  AugmentProbability(boolean adaptive, float p, float target, int rampImages, float boundary) {
    this.adaptive = adaptive;
    this.p = p;
    this.target = target;
    this.rampImages = rampImages;
    this.boundary = boundary;
  }

  /** The probability to augment with now. */
  public float p() {
    return p;
  }

  /**
   * r_t of the last full interval; before the first one ends, of the updates so far (0 before
   * any), so the figure is always finite.
   */
  public float overfitting() {
    if (!Float.isNaN(lastOverfitting)) {
      return lastOverfitting;
    }
    return seen == 0 ? 0f : (float) signSum / seen;
  }

  /**
   * Records one discriminator update's scores on real images (augmented as D saw them) and,
   * at the end of an interval, updates r_t and, if adaptive, p.
   */
  public void observe(float[] realScores) {
    for (float score : realScores) {
      signSum += score > boundary ? 1 : score < boundary ? -1 : 0;
    }
    seen += realScores.length;
    if (++updates < INTERVAL) {
      return;
    }
    float overfitting = (float) signSum / seen;
    lastOverfitting = overfitting;
    if (adaptive) {
      float step = Math.signum(overfitting - target) * seen / rampImages;
      p = Math.min(1f, Math.max(0f, p + step));
    }
    signSum = 0;
    seen = 0;
    updates = 0;
  }

  /** Adds p, r_t and the interval in progress to a state under construction. */
  public void save(Map<String, float[]> tensors, Map<String, Long> counters) {
    boolean measured = !Float.isNaN(lastOverfitting);
    tensors.put(TENSOR, new float[] {p, measured ? lastOverfitting : 0f, measured ? 1f : 0f});
    counters.put(SIGN_SUM, signSum);
    counters.put(SEEN, seen);
    counters.put(UPDATES, updates);
  }

  /**
   * Continues from a saved state. A fixed p stays the configured one (the setting may have
   * changed since); a state saved without augmentation leaves everything at its start.
   */
  public void restore(TrainingState state) {
    float[] saved = state.tensors().get(TENSOR);
    if (saved == null || saved.length != 3) {
      return;
    }
    if (adaptive) {
      p = Math.min(1f, Math.max(0f, saved[0]));
    }
    lastOverfitting = saved[2] == 1f ? saved[1] : Float.NaN;
    signSum = state.counters().getOrDefault(SIGN_SUM, 0L);
    seen = state.counters().getOrDefault(SEEN, 0L);
    updates = state.counters().getOrDefault(UPDATES, 0L);
  }
}
