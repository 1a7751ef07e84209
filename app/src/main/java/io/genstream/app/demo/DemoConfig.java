package io.genstream.app.demo;

import io.genstream.trainer.family.ModelSpec;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.ModelManifest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@code genstream demo} can be told; validated here so the CLI can say what is wrong.
 *
 * @param httpPort port of the generator's HTTP API on 127.0.0.1; 0 picks a free one, -1 turns it
 *     off
 * @param data the user's images ({@code --data}), or null for the synthetic digits; the spec is
 *     already adapted to it ({@link DemoData#adapt})
 * @param judging how the trainer replays images and judges versions
 */
public record DemoConfig(
    Duration duration,
    Path out,
    int kafkaPort,
    Path kafkaDir,
    String model,
    double imagesPerSecond,
    ModelSpec spec,
    int keepVersions,
    Duration requestEvery,
    int count,
    long seed,
    int httpPort,
    DemoData data,
    io.genstream.trainer.Judging judging) {

  public DemoConfig {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(judging, "judging");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive, got " + duration);
    }
    if (kafkaPort < 0 || kafkaPort > 65535) {
      throw new IllegalArgumentException("--kafka-port must be 0..65535, got " + kafkaPort);
    }
    if (httpPort < -1 || httpPort > 65535) {
      throw new IllegalArgumentException(
          "--http-port must be -1 (off), 0 (a free port) or 1..65535, got " + httpPort);
    }
    if (!ModelManifest.isValidName(model)) {
      throw new IllegalArgumentException("--model must be letters, digits, '.', '_' or '-', got '" + model + "'");
    }
    if (imagesPerSecond <= 0) {
      throw new IllegalArgumentException("--images-per-second must be positive, got " + imagesPerSecond);
    }
    Objects.requireNonNull(spec, "spec");
    if (spec.family() == ModelSpec.Family.FRAMEPRED) {
      throw new IllegalArgumentException("the demo trains on still images: use family cgan, "
          + "dcgan or vae, got " + spec.family().id());
    }
    if (data == null && spec.channels() != 1) {
      throw new IllegalArgumentException("the demo's synthetic digits are grey: use channels=1 "
          + "(or --data DIR for your own colour images), got channels=" + spec.channels());
    }
    if (keepVersions < 1 || keepVersions > 10_000) {
      throw new IllegalArgumentException("--keep-versions must be 1..10000, got " + keepVersions);
    }
    if (requestEvery.isNegative() || requestEvery.isZero()) {
      throw new IllegalArgumentException("--request-every must be positive, got " + requestEvery);
    }
    if (count < 1 || count > GenerationRequest.MAX_COUNT) {
      throw new IllegalArgumentException(
          "--count must be 1.." + GenerationRequest.MAX_COUNT + ", got " + count);
    }
  }
}
