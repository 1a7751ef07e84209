package io.genstream.app.demo;

import io.genstream.core.config.Topics;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to wire one {@link Pipeline}.
 *
 * @param out root of the file sink; sample grids go to {@code out/samples}
 * @param imagesPerSecond pace of the synthetic training stream
 * @param widths generator and discriminator widths {@code {g0, g1, d0, d1}}; tests use tiny ones
 */
public record PipelineConfig(
    String bootstrapServers,
    Topics topics,
    String model,
    Path out,
    double imagesPerSecond,
    int batchSize,
    int exportEvery,
    long seed,
    int[] widths) {

  /** The widths the demo trains with: small enough for two CPU cores, large enough for clear digits. */
  public static final int[] DEMO_WIDTHS = {128, 64, 64, 128};

  public PipelineConfig {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    Objects.requireNonNull(topics, "topics");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(out, "out");
    if (widths.length != 4) {
      throw new IllegalArgumentException("widths must be {g0, g1, d0, d1}, got " + widths.length + " values");
    }
    widths = widths.clone();
  }

  public Path samples() {
    return out.resolve("samples");
  }
}
