package io.genstream.core.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.charset.StandardCharsets;
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

  /**
   * Fills in the defaults ({@code latest}, PNG, a spread of 1 for an image), applies
   * {@link RequestRules} in order, then copies the lists and arrays.
   *
   * @throws InvalidRequestException naming the first field that breaks a rule, and why
   */
  public GenerationRequest {
    RequestRules.checkIdentity(requestId, model);
    if (version == null) {
      version = LATEST;
    }
    RequestRules.checkVersion(version);
    if (format == null) {
      format = Format.PNG;
    }
    RequestRules.checkOneKind(latents, interpolation, image);
    RequestRules.checkCount(count);
    RequestRules.checkLabels(label, labels, labelName, count);
    RequestRules.checkLatents(latents, count);
    RequestRules.checkInterpolation(interpolation, count);
    RequestRules.checkTruncation(truncation, latents, interpolation, image);
    if (image != null && spread == null) {
      spread = 1f;
    }
    RequestRules.checkImage(image, spread);
    RequestRules.checkReplyTopic(replyTopic);
    labels = labels == null ? null : List.copyOf(labels);
    latents = latents == null ? null : deepCopy(latents);
    image = image == null ? null : image.clone();
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

  private static float[][] deepCopy(float[][] rows) {
    float[][] copy = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      copy[i] = rows[i].clone();
    }
    return copy;
  }
}
