package io.genstream.app.demo;

import io.genstream.trainer.Judging;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.core.config.Topics;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to wire one {@link Pipeline}.
 *
 * @param out root of the file sink; sample grids go to {@code out/samples}
 * @param imagesPerSecond pace of the synthetic training stream
 * @param seed seed of the synthetic data stream
 * @param spec the model to train (family, widths, batch size, export interval, …); tests use
 *     tiny widths
 * @param keepVersions versions the trainer keeps on the models topic
 * @param httpPort port of the generator's HTTP API on 127.0.0.1; 0 picks a free one, -1 (as
 *     without it) serves no HTTP
 * @param data the user's images, ingested epoch after epoch; null for the synthetic digits
 * @param judging how the trainer replays images and judges versions
 */
public record PipelineConfig(
    String bootstrapServers,
    Topics topics,
    String model,
    Path out,
    double imagesPerSecond,
    long seed,
    ModelSpec spec,
    int keepVersions,
    int httpPort,
    DemoData data,
    Judging judging) {

  public PipelineConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(judging, "judging");
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException("httpPort must be -1..65535, got " + httpPort);
    }
  }

  /** Without HTTP: Kafka only. */
  public PipelineConfig(String bootstrapServers, Topics topics, String model, Path out,
      double imagesPerSecond, long seed, ModelSpec spec, int keepVersions) {
    this(bootstrapServers, topics, model, out, imagesPerSecond, seed, spec, keepVersions, -1, null,
        Judging.defaults());
  }

  /** Synthetic digits. */
  public PipelineConfig(String bootstrapServers, Topics topics, String model, Path out,
      double imagesPerSecond, long seed, ModelSpec spec, int keepVersions, int httpPort) {
    this(bootstrapServers, topics, model, out, imagesPerSecond, seed, spec, keepVersions, httpPort,
        null, Judging.defaults());
  }

  /** Whether the generator serves HTTP. */
  public boolean http() {
    return httpPort >= 0;
  }

  public Path samples() {
    return out.resolve("samples");
  }
}
