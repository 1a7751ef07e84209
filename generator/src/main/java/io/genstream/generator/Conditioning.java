package io.genstream.generator;

import io.genstream.core.latent.Latents;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.GenerationRequest.Kind;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The inputs of one request's generator run for one model version, derived reproducibly from
 * the request.
 *
 * <p><b>The rules</b>, one per {@link Kind} (changing one changes every published result of its
 * kind, so they are versioned by being written down here). Every {@link Random} is a
 * {@link java.util.Random}: its algorithm is fixed by the JDK specification, so the values are
 * identical on every JVM. "A gaussian" is {@link Random#nextGaussian()} cast to float, and a
 * block of them fills the latents row-major: image {@code i} takes values
 * {@code i·latentDim .. (i+1)·latentDim - 1}.
 * <ol>
 *   <li><b>Seed</b> ({@link Kind#SEED}).
 *     <ol>
 *       <li>A {@code Random} is seeded with the request's seed.
 *       <li>Latents: {@code count × latentDim} successive gaussians. Image {@code i}'s latent
 *           therefore depends only on the seed and {@code i}, not on the count or the labels.
 *       <li>Truncation {@code t}, if given: then, in row-major order, every component with
 *           {@code |z| > t} is replaced by the next gaussian of the same {@code Random}, again
 *           until {@code |z| <= t}. Without truncation nothing is drawn here.
 *       <li>Labels (conditional models): the request's {@code label} for every image, or its
 *           {@code labels}; otherwise, <em>after</em> all of the above, {@code count} successive
 *           {@code nextInt(numClasses)} values from the same {@code Random}.
 *     </ol>
 *   <li><b>Latents</b> ({@link Kind#LATENTS}): the request's rows as they are, each of
 *       {@code latentDim} values. Labels as given; otherwise {@code count} successive
 *       {@code nextInt(numClasses)} values of a {@code Random} seeded with the request's seed.
 *   <li><b>Interpolation</b> ({@link Kind#INTERPOLATION}) from seed {@code a} to seed {@code b}
 *       in {@code n} steps:
 *     <ol>
 *       <li>{@code z_a}: the first {@code latentDim} gaussians of a {@code Random} seeded with
 *           {@code a}, which is image 0 of a seed request with seed {@code a}; {@code z_b} the
 *           same with {@code b}.
 *       <li>Image {@code i} takes {@code t = i / (n-1)} and, computed in double and cast to
 *           float, {@code sin((1-t)Ω)/sin Ω · z_a + sin(tΩ)/sin Ω · z_b} with
 *           {@code cos Ω = z_a·z_b / (|z_a| |z_b|)} (slerp: a gaussian latent's norm stays near
 *           {@code √latentDim} all the way, where a straight line would pass through
 *           low-norm latents the generator never saw). Where {@code sin Ω < 1e-6} (the latents
 *           are parallel or opposite) it is {@code (1-t)·z_a + t·z_b}. Image 0 is exactly
 *           {@code z_a}, image {@code n-1} exactly {@code z_b}.
 *       <li>Labels as given; otherwise {@code count} successive {@code nextInt(numClasses)}
 *           values of a {@code Random} seeded with the request's seed.
 *     </ol>
 *   <li><b>Variations</b> ({@link Kind#VARIATIONS}) of an image whose encoding is {@code mean},
 *       {@code logVar} ({@link #variations}):
 *     <ol>
 *       <li>A {@code Random} is seeded with the request's seed.
 *       <li>Component {@code j} of image {@code i} is, computed in double and cast to float,
 *           {@code mean[j] + spread · exp(logVar[j] / 2) · ε}, where the {@code ε} are
 *           {@code count × latentDim} successive {@code nextGaussian()} values in row-major
 *           order. With {@code mean = 0}, {@code logVar = 0} and {@code spread = 1} these are the
 *           seed rule's latents.
 *       <li>Labels as given; otherwise, after all {@code ε}, {@code count} successive
 *           {@code nextInt(numClasses)} values from the same {@code Random}.
 *     </ol>
 * </ol>
 * Unconditional models: labels are all -1 and not passed to the graph; a request that gives a
 * label for one is refused.
 *
 * <p><b>Requests without a seed or an id</b> take them from where the request was read, so that a
 * redelivered request (a crash before its acknowledgement, a second consumer group) gives
 * byte-identical results:
 * <ol>
 *   <li>The id is {@code <topic>-<partition>@<offset>} of the request record
 *       ({@link #requestIdFor}).
 *   <li>The seed is the first 8 bytes, big-endian, of the SHA-256 of that id's UTF-8 bytes, with
 *       the sign bit cleared ({@link #seedFor}). It is echoed on every result like any seed.
 * </ol>
 *
 * @param count number of images
 * @param latents {@code count × latentDim}, row-major
 * @param labels {@code count} labels, -1 for an unconditional model
 */
public record Conditioning(int count, float[] latents, long[] labels) {

  /** Below this {@code sin Ω} the slerp weights lose precision: interpolate linearly. */
  private static final double MIN_SLERP_SIN = 1e-6;

  /**
   * The inputs of a {@link Kind#SEED}, {@link Kind#LATENTS} or {@link Kind#INTERPOLATION}
   * request for {@code manifest}'s model version, by the rules above.
   *
   * @throws InvalidRequestException if the request does not fit the model: a label for an
   *     unconditional model, a label outside {@code 0..numClasses-1} or a label name the
   *     version does not know, latents rows that are not {@code latentDim} long
   * @throws IllegalArgumentException for a {@link Kind#VARIATIONS} request, which needs the
   *     image's encoding: {@link #variations}
   */
  public static Conditioning of(GenerationRequest request, ModelManifest manifest) {
    if (request.labelName() != null) {
      request = request.withLabel(manifest.labelOf(request.labelName()));
    }
    return switch (request.kind()) {
      case SEED -> seeded(request.seed(), request.count(), manifest, request.label(),
          request.labels(), request.truncation());
      case LATENTS -> explicit(request, manifest);
      case INTERPOLATION -> interpolated(request, manifest);
      case VARIATIONS -> throw new IllegalArgumentException("request " + request.requestId()
          + " asks for variations of an image: encode it and call Conditioning.variations");
    };
  }

  /**
   * The inputs of a {@link Kind#VARIATIONS} request, given the encoder's output for its image.
   *
   * @param mean the encoder's mean, {@code latentDim} values
   * @param logVar the encoder's log-variance, {@code latentDim} values
   * @throws InvalidRequestException for labels the model cannot take, or a {@code spread} so
   *     large that a latent overflows float
   * @throws IllegalArgumentException if the request is of another kind, or {@code mean} or
   *     {@code logVar} are not {@code latentDim} finite values
   */
  public static Conditioning variations(
      GenerationRequest request, ModelManifest manifest, float[] mean, float[] logVar) {
    if (request.kind() != Kind.VARIATIONS) {
      throw new IllegalArgumentException(
          "variations takes a request with an image, got a " + request.kind() + " request");
    }
    int dim = manifest.latentDim();
    checkEncoding("mean", mean, manifest);
    checkEncoding("logVar", logVar, manifest);
    long[] labels = givenLabels(request, manifest);
    Random random = new Random(request.seed());
    float[] latents = new float[request.count() * dim];
    double spread = request.spread();
    for (int i = 0; i < latents.length; i++) {
      int j = i % dim;
      latents[i] = (float) (mean[j] + spread * Math.exp(0.5 * logVar[j]) * random.nextGaussian());
      if (!Float.isFinite(latents[i])) {
        throw new InvalidRequestException("variation " + i / dim + " overflows float at component "
            + j + " (mean " + mean[j] + ", logVar " + logVar[j] + ", spread " + spread + ")");
      }
    }
    return new Conditioning(request.count(), latents,
        drawnUnlessGiven(labels, request.count(), random, manifest));
  }

  /**
   * The inputs of a seed request: {@link #of} for a {@link Kind#SEED} request without
   * {@code labels} or truncation.
   *
   * @param label the request's label, or {@code null} to draw labels from the seed
   * @throws IllegalArgumentException if {@code count < 1}, or the label is outside
   *     {@code 0..numClasses-1}, or given for an unconditional model
   */
  public static Conditioning fromSeed(long seed, int count, ModelManifest manifest, Integer label) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    return seeded(seed, count, manifest, label, null, null);
  }

  /** The id of a request read at {@code topic}, {@code partition}, {@code offset} that gave none. */
  public static String requestIdFor(String topic, int partition, long offset) {
    return topic + "-" + partition + "@" + offset;
  }

  /** The seed of a request read at {@code topic}, {@code partition}, {@code offset} that gave none. */
  public static long seedFor(String topic, int partition, long offset) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256")
          .digest(requestIdFor(topic, partition, offset).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(hash, 0, Long.BYTES).getLong() & Long.MAX_VALUE;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static Conditioning seeded(long seed, int count, ModelManifest manifest,
      Integer label, List<Integer> requestLabels, Float truncation) {
    long[] labels = givenLabels(count, label, requestLabels, manifest);
    Random random = new Random(seed);
    float[] latents = Latents.gaussian(random, count * manifest.latentDim());
    if (truncation != null) {
      float t = truncation;
      for (int i = 0; i < latents.length; i++) {
        while (Math.abs(latents[i]) > t) {
          latents[i] = (float) random.nextGaussian();
        }
      }
    }
    return new Conditioning(count, latents, drawnUnlessGiven(labels, count, random, manifest));
  }

  private static Conditioning explicit(GenerationRequest request, ModelManifest manifest) {
    long[] labels = givenLabels(request, manifest);
    float[][] rows = request.latents();
    int dim = manifest.latentDim();
    float[] latents = new float[rows.length * dim];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != dim) {
        throw new InvalidRequestException("latents row " + i + " has " + rows[i].length
            + " values, " + describe(manifest) + " takes latentDim " + dim);
      }
      System.arraycopy(rows[i], 0, latents, i * dim, dim);
    }
    return new Conditioning(rows.length, latents,
        drawnUnlessGiven(labels, request.count(), new Random(request.seed()), manifest));
  }

  private static Conditioning interpolated(GenerationRequest request, ModelManifest manifest) {
    long[] labels = givenLabels(request, manifest);
    GenerationRequest.Interpolation interpolation = request.interpolation();
    int dim = manifest.latentDim();
    float[] from = Latents.gaussian(new Random(interpolation.from()), dim);
    float[] to = Latents.gaussian(new Random(interpolation.to()), dim);
    double dot = 0;
    double fromNorm = 0;
    double toNorm = 0;
    for (int j = 0; j < dim; j++) {
      dot += (double) from[j] * to[j];
      fromNorm += (double) from[j] * from[j];
      toNorm += (double) to[j] * to[j];
    }
    double cos = dot / Math.sqrt(fromNorm * toNorm);
    double omega = Math.acos(Math.max(-1, Math.min(1, cos)));
    double sin = Math.sin(omega);
    int steps = interpolation.steps();
    float[] latents = new float[steps * dim];
    for (int i = 0; i < steps; i++) {
      double t = (double) i / (steps - 1);
      double a;
      double b;
      if (Double.isNaN(cos) || sin < MIN_SLERP_SIN) {
        a = 1 - t;
        b = t;
      } else {
        a = Math.sin((1 - t) * omega) / sin;
        b = Math.sin(t * omega) / sin;
      }
      for (int j = 0; j < dim; j++) {
        latents[i * dim + j] = (float) (a * from[j] + b * to[j]);
      }
    }
    // Exact already (weights 1 and 0); copied so that the rule's promise needs no float argument.
    System.arraycopy(from, 0, latents, 0, dim);
    System.arraycopy(to, 0, latents, (steps - 1) * dim, dim);
    return new Conditioning(steps, latents,
        drawnUnlessGiven(labels, request.count(), new Random(request.seed()), manifest));
  }

  private static long[] givenLabels(GenerationRequest request, ModelManifest manifest) {
    return givenLabels(request.count(), request.label(), request.labels(), manifest);
  }

  /**
   * The labels a request gave, checked against the model: -1 for each image of an unconditional
   * model, {@code null} where the model is conditional and the request gave none (they are then
   * drawn, by its kind's rule).
   */
  private static long[] givenLabels(
      int count, Integer label, List<Integer> labels, ModelManifest manifest) {
    long[] result = new long[count];
    if (!manifest.conditional()) {
      if (label != null) {
        checkLabel("label " + label, label, manifest);
      }
      if (labels != null) {
        checkLabel("labels " + labels, labels.get(0), manifest);
      }
      Arrays.fill(result, -1);
      return result;
    }
    if (label != null) {
      checkLabel("label " + label, label, manifest);
      Arrays.fill(result, label);
      return result;
    }
    if (labels != null) {
      if (labels.size() != count) {
        throw new IllegalArgumentException(
            "labels has " + labels.size() + " labels for " + count + " images");
      }
      for (int i = 0; i < count; i++) {
        checkLabel("labels[" + i + "] = " + labels.get(i), labels.get(i), manifest);
        result[i] = labels.get(i);
      }
      return result;
    }
    return null;
  }

  /** {@code given}, or {@code count} labels drawn from {@code random} where that is null. */
  private static long[] drawnUnlessGiven(
      long[] given, int count, Random random, ModelManifest manifest) {
    if (given != null) {
      return given;
    }
    long[] drawn = new long[count];
    for (int i = 0; i < count; i++) {
      drawn[i] = random.nextInt(manifest.numClasses());
    }
    return drawn;
  }

  /** The dead-letter wording for a label the model cannot take; {@code what} quotes it. */
  private static void checkLabel(String what, int label, ModelManifest m) {
    if (!m.conditional()) {
      throw new InvalidRequestException(describe(m)
          + " is unconditional and takes no label, got " + what);
    }
    if (label < 0 || label >= m.numClasses()) {
      throw new InvalidRequestException(what + " out of range for " + describe(m)
          + ", valid labels are 0.." + (m.numClasses() - 1));
    }
  }

  private static void checkEncoding(String name, float[] values, ModelManifest manifest) {
    if (values == null || values.length != manifest.latentDim()) {
      throw new IllegalArgumentException("the encoder's " + name + " has "
          + (values == null ? "no" : String.valueOf(values.length)) + " values, "
          + describe(manifest) + " takes latentDim " + manifest.latentDim());
    }
    for (int j = 0; j < values.length; j++) {
      if (!Float.isFinite(values[j])) {
        throw new IllegalArgumentException(
            "the encoder's " + name + "[" + j + "] is " + values[j] + ", not finite");
      }
    }
  }

  private static String describe(ModelManifest m) {
    return "model '" + m.name() + "' version " + m.version();
  }
}
