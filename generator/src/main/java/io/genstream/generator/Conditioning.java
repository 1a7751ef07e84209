package io.genstream.generator;

import io.genstream.core.latent.Latents;
import io.genstream.core.messages.ModelManifest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Random;

/**
 * The inputs of one request's generator run, derived reproducibly from its seed.
 *
 * <p><b>The rule</b> (changing it changes every published result, so it is versioned by being
 * written down here):
 * <ol>
 *   <li>A {@link java.util.Random} is seeded with the request's seed. Its algorithm is fixed by
 *       the JDK specification, so the values are identical on every JVM.
 *   <li>Latents: {@code count × latentDim} successive {@link Random#nextGaussian()} values, cast
 *       to float; image {@code i} uses the {@code i}-th block of {@code latentDim} values. Image
 *       {@code i}'s latent therefore depends only on the seed and {@code i}, not on the count or
 *       the label.
 *   <li>Labels (conditional models only): the request's label for every image if it gave one;
 *       otherwise, <em>after</em> all latents were drawn, {@code count} successive
 *       {@code nextInt(numClasses)} values from the same generator.
 *   <li>Unconditional models: labels are all -1 and not passed to the graph.
 * </ol>
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

  /**
   * @param label the request's label, or {@code null} to draw labels from the seed
   * @throws IllegalArgumentException if {@code count < 1}, or the label is outside
   *     {@code 0..numClasses-1}, or given for an unconditional model
   */
  public static Conditioning fromSeed(long seed, int count, ModelManifest manifest, Integer label) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1, got " + count);
    }
    if (label != null) {
      checkLabel(label, manifest);
    }
    Random random = new Random(seed);
    float[] latents = Latents.gaussian(random, count * manifest.latentDim());
    long[] labels = new long[count];
    for (int i = 0; i < count; i++) {
      if (!manifest.conditional()) {
        labels[i] = -1;
      } else if (label != null) {
        labels[i] = label;
      } else {
        labels[i] = random.nextInt(manifest.numClasses());
      }
    }
    return new Conditioning(count, latents, labels);
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

  /** The dead-letter wording for a label the model cannot take. */
  private static void checkLabel(int label, ModelManifest m) {
    if (!m.conditional()) {
      throw new IllegalArgumentException("model '" + m.name() + "' version " + m.version()
          + " is unconditional and takes no label, got label " + label);
    }
    if (label < 0 || label >= m.numClasses()) {
      throw new IllegalArgumentException("label " + label + " out of range for model '"
          + m.name() + "' version " + m.version() + ", valid labels are 0.." + (m.numClasses() - 1));
    }
  }
}
