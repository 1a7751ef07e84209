package io.genstream.app.demo;

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
 */
public record PipelineConfig(
    String bootstrapServers,
    Topics topics,
    String model,
    Path out,
    double imagesPerSecond,
    long seed,
    ModelSpec spec,
    int keepVersions) {

  public PipelineConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(spec, "spec");
  }

  public Path samples() {
    return out.resolve("samples");
  }
}
