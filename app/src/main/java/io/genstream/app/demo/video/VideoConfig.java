package io.genstream.app.demo.video;

import io.genstream.core.messages.ModelManifest;
import io.genstream.trainer.family.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything {@code genstream demo --video} can be told; validated here so the CLI can say what
 * is wrong.
 *
 * @param streams moving-digit streams, each its own camera
 * @param fps frames per second of each stream
 * @param speed pixels a digit moves per frame
 * @param horizon frames predicted ahead of each arriving frame
 * @param spec the {@code framepred} model; its {@code imageSize} is the frames' size (32 or 64)
 */
public record VideoConfig(
    Duration duration,
    Path out,
    int kafkaPort,
    Path kafkaDir,
    String model,
    int streams,
    double fps,
    double speed,
    int horizon,
    ModelSpec spec,
    int keepVersions,
    long seed) {

  public VideoConfig {
    Objects.requireNonNull(out, "out");
    Objects.requireNonNull(spec, "spec");
    if (duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException("--duration must be positive, got " + duration);
    }
    if (kafkaPort < 0 || kafkaPort > 65535) {
      throw new IllegalArgumentException("--kafka-port must be 0..65535, got " + kafkaPort);
    }
    if (!ModelManifest.isValidName(model)) {
      throw new IllegalArgumentException(
          "--model must be letters, digits, '.', '_' or '-', got '" + model + "'");
    }
    if (streams < 1 || streams > 64) {
      throw new IllegalArgumentException("--streams must be 1..64, got " + streams);
    }
    if (!(fps > 0 && fps <= 60)) {
      throw new IllegalArgumentException("--fps must be above 0 and at most 60, got " + fps);
    }
    if (spec.family() != ModelSpec.Family.FRAMEPRED) {
      throw new IllegalArgumentException("--video trains family framepred, got "
          + spec.family().id());
    }
    if (spec.imageSize() != 32 && spec.imageSize() != 64) {
      throw new IllegalArgumentException("the moving digits are 32 or 64 pixels: use "
          + "--set imageSize=32 or 64, got " + spec.imageSize());
    }
    if (spec.channels() != 1) {
      throw new IllegalArgumentException("the moving digits are grey: channels must be 1, got "
          + spec.channels());
    }
    if (!(speed >= 1 && speed <= spec.imageSize() / 4.0)) {
      throw new IllegalArgumentException("--speed must be 1.." + spec.imageSize() / 4
          + " pixels per frame, got " + speed);
    }
    if (horizon < 1 || horizon > 16) {
      throw new IllegalArgumentException("--horizon must be 1..16, got " + horizon);
    }
    if (keepVersions < 1 || keepVersions > 10_000) {
      throw new IllegalArgumentException("--keep-versions must be 1..10000, got " + keepVersions);
    }
  }

  /**
   * Channels of the video model's convolutions, fine and coarse level alike. 32, not the
   * family's 64: on these 2 cores it trains about as well in a 5-minute demo and predicts a
   * batch of 8 streams several times faster, which is what real time at 10 fps needs (README,
   * Performance).
   */
  public static final int WIDTH = 32;

  /**
   * Where the video demo's model differs from the {@code framepred} family defaults at
   * {@code imageSize} (32 or 64): the moving digits' size, {@link #WIDTH} channels (the spec
   * lists one width per ×2 stage of the image; framepred uses the first two, the discriminator's
   * only with {@code adversarial > 0}), and a version every 100 steps so that the predictor gets
   * better models often. In order; the CLI applies those the user did not set.
   */
  public static java.util.Map<String, String> specDefaults(int imageSize) {
    int stages = Integer.numberOfTrailingZeros(imageSize / 4); // 32 → 3, 64 → 4
    String widths = String.join(",", java.util.Collections.nCopies(stages,
        Integer.toString(WIDTH)));
    java.util.Map<String, String> settings = new java.util.LinkedHashMap<>();
    settings.put("imageSize", Integer.toString(imageSize));
    settings.put("generatorWidths", widths);
    settings.put("discriminatorWidths", widths);
    settings.put("exportEvery", "100");
    return java.util.Collections.unmodifiableMap(settings);
  }

  /** The demo's model on 32-pixel frames: {@code framepred} with {@link #specDefaults}. */
  public static ModelSpec defaultSpec(long seed) {
    return defaultSpec(seed, 32);
  }

  /** The video model at {@code imageSize} (32 or 64) with {@code seed}. */
  public static ModelSpec defaultSpec(long seed, int imageSize) {
    java.util.Map<String, String> settings = new java.util.LinkedHashMap<>(
        specDefaults(imageSize));
    settings.put("seed", Long.toString(seed));
    return ModelSpec.defaults(ModelSpec.Family.FRAMEPRED).with(settings);
  }
}
