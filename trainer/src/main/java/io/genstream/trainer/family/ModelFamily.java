package io.genstream.trainer.family;

import io.genstream.trainer.family.framepred.FramePredictionFamily;
import io.genstream.trainer.family.gan.GanFamily;
import io.genstream.trainer.family.vae.VaeFamily;

/**
 * The seam between the streaming trainer and a kind of generative model: create (or restore),
 * step, export, sample. The training loop inside {@link #step} is the family's own; data,
 * versions, checkpoints and logging are the trainer's and the same for all families.
 *
 * <p><b>Ownership.</b> A family owns the native memory of its networks, optimiser state and EMA
 * weights, freed by {@link #close()}. Each call works inside a per-call scope, so native memory
 * stays flat however many steps run ({@link #nativeArrayCount()} shows it).
 *
 * <p><b>Threads.</b> Not thread-safe: confine an instance to one thread. Two instances may train on
 * two threads (gradient recording is per thread).
 *
 * <p><b>Determinism.</b> Initialisation and every random draw of step {@code s} derive from the
 * spec's seed and {@code s}, so the same spec and data give the same weights, and a model restored
 * from its {@link #state()} continues exactly as the original would have.
 */
public interface ModelFamily extends AutoCloseable {

  /**
   * A fresh model of {@code spec}'s family, or one continuing {@code state} if it is not null.
   *
   * @throws IllegalArgumentException if the state was saved by another architecture
   * @throws ai.djl.engine.EngineException if the PyTorch engine cannot load
   */
  static ModelFamily create(ModelSpec spec, TrainingState state) {
    ModelFamily family = switch (spec.family()) {
      case CGAN, DCGAN -> new GanFamily(spec);
      case VAE -> new VaeFamily(spec);
      case FRAMEPRED -> new FramePredictionFamily(spec);
    };
    if (state != null) {
      try {
        family.restore(state);
      } catch (RuntimeException e) {
        family.close();
        throw e;
      }
    }
    return family;
  }

  ModelSpec spec();

  /** Images one {@link #step} consumes ({@code batchSize × nCritic} for a GAN). */
  int imagesPerStep();

  /**
   * One training step.
   *
   * @throws IllegalArgumentException if the batch does not have {@link #imagesPerStep()} images
   *     of the spec's shape, or a label is out of range
   */
  StepResult step(Batch batch);

  /** Steps taken so far (including those of a restored state). */
  long steps();

  /**
   * ONNX graphs of the weights a version publishes (EMA weights where the spec keeps them), in
   * inference mode; the first graph is the generator the generator service loads.
   */
  Exported export();

  /**
   * Images for a sample grid, computed as the exported generator would.
   *
   * @param latents {@code n × latentDim}
   * @param labels {@code n} labels (ignored by unconditional models)
   * @return {@code n × channels × size × size} values in [-1, 1]
   */
  float[] sample(float[] latents, long[] labels);

  /** Everything a resume needs: weights, EMA weights, optimiser moments, step count. */
  TrainingState state();

  /** Continues from a saved state; see {@link #create}. */
  void restore(TrainingState state);

  /** Trainable scalars per network, for logs. */
  java.util.Map<String, Long> parameterCounts();

  /** Native arrays held (flat over steps unless something leaks). */
  int nativeArrayCount();

  /** Frees all native memory; later calls throw {@link IllegalStateException}. */
  @Override
  void close();
}
