package io.genstream.core.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import io.genstream.core.image.Png;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A request for {@code count} images from a model, as JSON a person can type into a console
 * producer. There are four kinds ({@link Kind}); only {@code model} is required.
 *
 * <p><b>Seed</b> ({@link Kind#SEED}): latents drawn from {@code seed}.
 * <pre>{"requestId": "r1", "model": "digits", "count": 8, "seed": 42, "label": 7}
 *{"model": "digits", "seed": 42, "labels": [0, 1, 2, 3], "truncation": 0.5}</pre>
 * {@code truncation} (BigGAN's truncation trick, seed requests only) redraws every latent
 * component whose magnitude exceeds it, trading variety for fidelity.
 *
 * <p><b>Latents</b> ({@link Kind#LATENTS}): the latent vectors themselves, one row per image, each
 * of the model's {@code latentDim}.
 * <pre>{"model": "digits", "latents": [[0.1, -1.2, 0.3, 0.0], [1.0, 0.5, -0.5, 2.0]]}</pre>
 *
 * <p><b>Interpolation</b> ({@link Kind#INTERPOLATION}): {@code steps} images along a spherical
 * interpolation from the latent of seed {@code from} to that of seed {@code to}; the first image
 * is {@code from}'s, the last {@code to}'s.
 * <pre>{"model": "digits", "interpolation": {"from": 1, "to": 2, "steps": 8}, "label": 3}</pre>
 *
 * <p><b>Variations</b> ({@link Kind#VARIATIONS}, models with an encoder): images near a given
 * one; {@code image} is a standard-base64 PNG, {@code spread} (default 1.0) scales the encoder's
 * standard deviation, 0 giving the encoder's mean every time.
 * <pre>{"model": "faces-vae", "count": 4, "image": "iVBORw0KGgo...", "spread": 0.5}</pre>
 *
 * <p><b>Fields every kind takes.</b> {@code version} is {@code latest} (the default), {@code best}
 * or a version number. {@code seed} defaults to a random one that is echoed on every result, so a
 * result can always be reproduced. {@code label} (conditional models) is one label for every
 * image, {@code labels} one per image (not both); without either, labels are drawn from the seed.
 * {@code label} may also be a class name ({@code "label": "cat"}) that the model version knows
 * from the data it was trained on (its manifest's {@code labelNames}); the generator resolves it.
 * {@code count} defaults to the number of {@code labels}, {@code latents} rows or interpolation
 * {@code steps}, and must equal them when given; otherwise to 1. {@code format} is {@code png}
 * (the default) or {@code raw} (uint8 pixels, channel-major {@code C×H×W}). {@code replyTopic}
 * (a Kafka topic name) receives the results instead of the results topic. {@code requestId}
 * defaults to a fresh UUID.
 *
 * <p>At most one of {@code latents}, {@code interpolation} and {@code image} may be given; any
 * other field is an error, as is any conflict, each with an {@link InvalidRequestException} that
 * says which field and why.
 *
 * <p>The record holds arrays ({@code latents}, {@code image}): it copies them on the way in and
 * out, and compares them by content in {@link #equals}.
 *
 * @param version {@code latest}, {@code best} or a version number
 * @param label one label for every image, or {@code null}
 * @param labelName one label for every image, by class name (resolved against the model
 *     version's {@code labelNames}), or {@code null}; never together with {@code label} or
 *     {@code labels}
 * @param labels one label per image ({@code count} of them), or {@code null}
 * @param truncation latent components are redrawn until their magnitude is at most this, or
 *     {@code null} for none; {@value #MIN_TRUNCATION} or more
 * @param latents explicit latents, {@code count} rows of equal length (the model's
 *     {@code latentDim}, checked against the model by the generator), or {@code null}
 * @param interpolation the seeds and steps of an interpolation, or {@code null}
 * @param image the PNG bytes to vary, or {@code null}
 * @param spread the variations' spread, {@code null} exactly when {@code image} is
 * @param format the results' encoding; {@code null} means {@link Format#PNG}
 * @param replyTopic the topic for the results, or {@code null} for the results topic
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GenerationRequest(
    String requestId,
    String model,
    String version,
    int count,
    long seed,
    Integer label,
    List<Integer> labels,
    Float truncation,
    float[][] latents,
    Interpolation interpolation,
    byte[] image,
    Float spread,
    Format format,
    String replyTopic,
    String labelName) {

  public static final int MAX_COUNT = 256;
  /** Longest latent row: far above any model we train, short of what a request could carry. */
  public static final int MAX_LATENT_DIM = 4096;
  /**
   * Smallest truncation. A component is redrawn until inside, about {@code 1.25 / truncation}
   * draws each for small values, so the floor bounds the work a request can ask for.
   */
  public static final float MIN_TRUNCATION = 0.01f;
  public static final String LATEST = "latest";
  public static final String BEST = "best";


  /** What a request's latents come from. */
  public enum Kind {
    /** Drawn from {@code seed}, optionally truncated. */
    SEED,
    /** Given in the request. */
    LATENTS,
    /** A spherical interpolation between two seeds' latents. */
    INTERPOLATION,
    /** Drawn around the encoding of the given image. */
    VARIATIONS
  }

  /** How results are encoded; lower-case in JSON. */
  public enum Format {
    /** A PNG image per result. */
    PNG,
    /** Raw uint8 pixels per result, channel-major ({@code C×H×W}), no header. */
    RAW;

    @JsonValue
    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** @throws InvalidRequestException naming the valid formats */
    public static Format of(String text) {
      for (Format format : values()) {
        if (format.json().equals(text)) {
          return format;
        }
      }
      throw new InvalidRequestException("format must be 'png' or 'raw', got '" + text + "'");
    }
  }

  /**
   * {@code steps} images from the latent of seed {@code from} to that of seed {@code to}, both
   * included.
   *
   * @param steps 2..{@value GenerationRequest#MAX_COUNT}
   */
  public record Interpolation(long from, long to, int steps) {
    public Interpolation {
      if (steps < 2 || steps > MAX_COUNT) {
        throw new InvalidRequestException(
            "interpolation.steps must be 2.." + MAX_COUNT + ", got " + steps);
      }
    }
  }

  public GenerationRequest {
    if (requestId == null || requestId.isBlank()) {
      throw new InvalidRequestException("requestId must not be blank");
    }
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException("model is required");
    }
    if (version == null) {
      version = LATEST;
    }
    if (!version.equals(LATEST) && !version.equals(BEST) && !version.matches("[0-9]{1,18}")) {
      throw new InvalidRequestException(
          "version must be 'latest', 'best' or a version number, got '" + version + "'");
    }
    if (format == null) {
      format = Format.PNG;
    }
    checkKinds(latents, interpolation, image);
    if (count < 1 || count > MAX_COUNT) {
      throw new InvalidRequestException("count must be 1.." + MAX_COUNT + ", got " + count);
    }
    if (label != null && label < 0) {
      throw new InvalidRequestException("label must be >= 0, got " + label);
    }
    labels = checkLabels(labels, label, count);
    if (labelName != null) {
      if (label != null || labels != null) {
        throw new InvalidRequestException(
            "give the label as a number or as a class name, not both");
      }
      if (labelName.isBlank() || labelName.length() > 200) {
        throw new InvalidRequestException("a label name must be 1..200 characters, got '"
            + LogSafe.text(labelName) + "'");
      }
    }
    latents = checkLatents(latents, count);
    if (interpolation != null && interpolation.steps() != count) {
      throw new InvalidRequestException("count " + count + " differs from interpolation.steps "
          + interpolation.steps() + "; an interpolation gives one image per step");
    }
    checkTruncation(truncation, latents, interpolation, image);
    if (image != null) {
      if (!Png.hasSignature(image)) {
        throw new InvalidRequestException(
            "image is not a PNG: it does not start with the PNG signature");
      }
      image = image.clone();
      if (spread == null) {
        spread = 1f;
      }
      if (!Float.isFinite(spread) || spread < 0) {
        throw new InvalidRequestException("spread must be a finite number >= 0, got " + spread);
      }
    } else if (spread != null) {
      throw new InvalidRequestException(
          "spread applies only to variations of an image; this request gives no image");
    }
    if (replyTopic != null && !isTopicName(replyTopic)) {
      throw new InvalidRequestException("replyTopic must be a Kafka topic name (1..249 of"
          + " a-z A-Z 0-9 . _ -, not '.' or '..'), got '" + replyTopic + "'");
    }
  }

  /** A request whose labels, if any, are numbers. */
  public GenerationRequest(String requestId, String model, String version, int count, long seed,
      Integer label, List<Integer> labels, Float truncation, float[][] latents,
      Interpolation interpolation, byte[] image, Float spread, Format format, String replyTopic) {
    this(requestId, model, version, count, seed, label, labels, truncation, latents,
        interpolation, image, spread, format, replyTopic, null);
  }

  /** A seed request: no truncation, PNG results on the results topic. */
  public GenerationRequest(
      String requestId, String model, String version, int count, long seed, Integer label) {
    this(requestId, model, version, count, seed, label, null, null, null, null, null, null, null,
        null, null);
  }

  /** This request with {@code label} for every image instead of its label name. */
  public GenerationRequest withLabel(int label) {
    return new GenerationRequest(requestId, model, version, count, seed, label, null, truncation,
        latents, interpolation, image, spread, format, replyTopic, null);
  }

  /** What this request's latents come from. */
  public Kind kind() {
    if (latents != null) {
      return Kind.LATENTS;
    }
    if (interpolation != null) {
      return Kind.INTERPOLATION;
    }
    return image != null ? Kind.VARIATIONS : Kind.SEED;
  }

  /** A copy of the explicit latents, {@code count} rows, or {@code null}. */
  @Override
  public float[][] latents() {
    return latents == null ? null : deepCopy(latents);
  }

  /** A copy of the PNG bytes to vary, or {@code null}. */
  @Override
  public byte[] image() {
    return image == null ? null : image.clone();
  }

  /**
   * Parses and validates a request's JSON bytes under {@link RequestParser}'s default limits; an
   * absent {@code requestId} becomes a fresh UUID, an absent {@code seed} a random one. A
   * service that can derive them from where the request came from uses
   * {@link RequestParser#parse} instead, so that a redelivered request gives the same images.
   *
   * @throws InvalidRequestException with a message fit for the dead-letter reason
   */
  public static GenerationRequest parse(byte[] json) {
    return RequestParser.defaults().parse(
        json, UUID.randomUUID().toString(), UUID.randomUUID().getMostSignificantBits() >>> 1);
  }

  /** The request as JSON that {@link #parse} reads back to an equal request. */
  public byte[] toJson() {
    return Json.write(this).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GenerationRequest r
        && requestId.equals(r.requestId) && model.equals(r.model) && version.equals(r.version)
        && count == r.count && seed == r.seed && Objects.equals(label, r.label)
        && Objects.equals(labels, r.labels) && Objects.equals(truncation, r.truncation)
        && Arrays.deepEquals(latents, r.latents) && Objects.equals(interpolation, r.interpolation)
        && Arrays.equals(image, r.image) && Objects.equals(spread, r.spread)
        && format == r.format && Objects.equals(replyTopic, r.replyTopic)
        && Objects.equals(labelName, r.labelName);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, model, version, count, seed, label, labels, truncation,
        Arrays.deepHashCode(latents), interpolation, Arrays.hashCode(image), spread, format,
        replyTopic, labelName);
  }

  /** The fields, with arrays as their sizes: a request's latents or image do not fit a log line. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("GenerationRequest[requestId=").append(requestId)
        .append(", model=").append(model).append(", version=").append(version)
        .append(", kind=").append(kind()).append(", count=").append(count)
        .append(", seed=").append(seed);
    if (label != null) {
      s.append(", label=").append(label);
    }
    if (labels != null) {
      s.append(", labels=").append(labels);
    }
    if (labelName != null) {
      s.append(", label='").append(LogSafe.text(labelName)).append('\'');
    }
    if (truncation != null) {
      s.append(", truncation=").append(truncation);
    }
    if (latents != null) {
      s.append(", latents=").append(latents.length).append('×').append(latents[0].length);
    }
    if (interpolation != null) {
      s.append(", interpolation=").append(interpolation);
    }
    if (image != null) {
      s.append(", image=").append(image.length).append(" bytes, spread=").append(spread);
    }
    s.append(", format=").append(format.json());
    if (replyTopic != null) {
      s.append(", replyTopic=").append(replyTopic);
    }
    return s.append(']').toString();
  }

  // ---- validation of the record's values ----

  private static void checkKinds(float[][] latents, Interpolation interpolation, byte[] image) {
    List<String> given = new ArrayList<>(3);
    if (latents != null) {
      given.add("latents");
    }
    if (interpolation != null) {
      given.add("interpolation");
    }
    if (image != null) {
      given.add("image");
    }
    if (given.size() > 1) {
      throw new InvalidRequestException("latents, interpolation and image are different kinds of"
          + " request; give at most one, got " + String.join(" and ", given));
    }
  }

  private static List<Integer> checkLabels(List<Integer> labels, Integer label, int count) {
    if (labels == null) {
      return null;
    }
    if (label != null) {
      throw new InvalidRequestException(
          "give label (one for every image) or labels (one per image), not both");
    }
    if (labels.size() != count) {
      throw new InvalidRequestException("labels has " + labels.size() + " labels but the request"
          + " is for " + count + " images (count); give one label per image");
    }
    for (int i = 0; i < labels.size(); i++) {
      if (labels.get(i) == null || labels.get(i) < 0) {
        throw new InvalidRequestException("labels[" + i + "] must be >= 0, got " + labels.get(i));
      }
    }
    return List.copyOf(labels);
  }

  private static float[][] checkLatents(float[][] latents, int count) {
    if (latents == null) {
      return null;
    }
    if (latents.length != count) {
      throw new InvalidRequestException("latents has " + latents.length + " rows but the request"
          + " is for " + count + " images (count); give one latent row per image");
    }
    int dim = -1;
    for (int i = 0; i < latents.length; i++) {
      float[] row = latents[i];
      if (row == null || row.length == 0 || row.length > MAX_LATENT_DIM) {
        throw new InvalidRequestException("latents row " + i + " must have 1.." + MAX_LATENT_DIM
            + " values, got " + (row == null ? "none" : row.length));
      }
      if (dim >= 0 && row.length != dim) {
        throw new InvalidRequestException("latents row " + i + " has " + row.length
            + " values but row 0 has " + dim + "; every row is a latent of the model's latentDim");
      }
      dim = row.length;
      for (int j = 0; j < row.length; j++) {
        if (!Float.isFinite(row[j])) {
          throw new InvalidRequestException(
              "latents[" + i + "][" + j + "] must be a finite number, got " + row[j]);
        }
      }
    }
    return deepCopy(latents);
  }

  private static void checkTruncation(
      Float truncation, float[][] latents, Interpolation interpolation, byte[] image) {
    if (truncation == null) {
      return;
    }
    if (latents != null) {
      throw new InvalidRequestException("truncation applies only to latents drawn from the seed;"
          + " this request gives its latents, which are used as they are");
    }
    if (interpolation != null) {
      throw new InvalidRequestException("truncation applies only to latents drawn from the seed;"
          + " an interpolation must start and end at its seeds' latents");
    }
    if (image != null) {
      throw new InvalidRequestException("truncation applies only to latents drawn from the seed;"
          + " variations' latents come from the image's encoding");
    }
    if (!Float.isFinite(truncation) || truncation < MIN_TRUNCATION) {
      throw new InvalidRequestException("truncation must be a finite number >= " + MIN_TRUNCATION
          + ", got " + truncation);
    }
  }

  /** Kafka's rule for topic names ({@code org.apache.kafka.common.internals.Topic}). */
  private static boolean isTopicName(String name) {
    return name.matches("[a-zA-Z0-9._-]{1,249}") && !name.equals(".") && !name.equals("..");
  }

  private static float[][] deepCopy(float[][] rows) {
    float[][] copy = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      copy[i] = rows[i].clone();
    }
    return copy;
  }

  // ---- reading JSON values ----

}
