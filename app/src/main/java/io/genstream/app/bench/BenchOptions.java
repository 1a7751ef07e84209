package io.genstream.app.bench;

import io.genstream.trainer.family.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What {@code genstream bench generator} measures; validated here, once.
 *
 * @param family the model family whose default spec is benchmarked: cgan, dcgan or vae
 * @param batchSize images per ONNX Runtime call in every phase, 1..1024
 * @param requests single-image requests of the Kafka throughput phase, 100..10,000,000
 * @param seconds length of each timed phase (the latency phase, and each engine of the DJL
 *     comparison), 0.5..3600
 * @param ortThreads ONNX Runtime intra-op threads, and PyTorch's for the DJL side, 1..256
 * @param json where to write the results as JSON, or null
 */
public record BenchOptions(ModelSpec.Family family, int batchSize, int requests, double seconds,
    int ortThreads, Path json) {

  public static final int DEFAULT_BATCH_SIZE = 64;
  public static final int DEFAULT_REQUESTS = 12_000;
  public static final double DEFAULT_SECONDS = 8;

  public BenchOptions {
    Objects.requireNonNull(family, "family");
    if (family == ModelSpec.Family.FRAMEPRED) {
      throw new IllegalArgumentException("--family must be cgan, dcgan or vae, got framepred");
    }
    if (batchSize < 1 || batchSize > 1024) {
      throw new IllegalArgumentException("--batch-size must be 1..1024, got " + batchSize);
    }
    if (requests < 100 || requests > 10_000_000) {
      throw new IllegalArgumentException("--requests must be 100..10000000, got " + requests);
    }
    if (!(seconds >= 0.5 && seconds <= 3600)) {
      throw new IllegalArgumentException("--seconds must be 0.5..3600, got " + seconds);
    }
    if (ortThreads < 1 || ortThreads > 256) {
      throw new IllegalArgumentException("--ort-threads must be 1..256, got " + ortThreads);
    }
  }

  /** A timed phase. */
  Duration phase() {
    return Duration.ofMillis(Math.round(seconds * 1000));
  }

  /**
   * Warm-up before a timed phase: 40 % of it, at least half a second (the JIT compiles the
   * engine's Java code during the first seconds, on the same cores).
   */
  Duration warmup() {
    return Duration.ofMillis(Math.max(500, Math.round(seconds * 400)));
  }

  /**
   * The longest warm-up of a Kafka phase, rounds of load until the JIT compilers settle: 7.5
   * phases (a minute at the default 8 s). The broker, the clients and the service all run in
   * the bench's JVM, and on 2 cores the JIT takes 20 to 40 s to compile their hot code.
   */
  Duration maxKafkaWarmup() {
    return phase().multipliedBy(15).dividedBy(2);
  }
}
