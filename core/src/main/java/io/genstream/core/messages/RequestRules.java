package io.genstream.core.messages;

import io.genstream.core.image.Png;
import java.util.ArrayList;
import java.util.List;

/**
 * What the values of a {@link GenerationRequest} must satisfy, one rule per method, each
 * failing with an {@link InvalidRequestException} that names the field and says why. The
 * record's compact constructor applies them in order (so a request with several faults is
 * refused for the first), after filling in its defaults and before copying its arrays; these
 * methods only check, they never copy or change a value.
 *
 * <p>The field names and types in JSON are {@link RequestFields}'s job, the limits of the bytes
 * {@link RequestParser}'s.
 */
final class RequestRules {

  /** Longest label name: longer than any class name a data set uses. */
  private static final int MAX_LABEL_NAME_LENGTH = 200;

  private RequestRules() {}

  static void checkIdentity(String requestId, String model) {
    if (requestId == null || requestId.isBlank()) {
      throw new InvalidRequestException("requestId must not be blank");
    }
    if (model == null || model.isBlank()) {
      throw new InvalidRequestException("model is required");
    }
  }

  /** @param version not null: the record defaults it to {@code latest} first */
  static void checkVersion(String version) {
    if (!version.equals(GenerationRequest.LATEST) && !version.equals(GenerationRequest.BEST)
        && !version.matches("[0-9]{1,18}")) {
      throw new InvalidRequestException(
          "version must be 'latest', 'best' or a version number, got '" + version + "'");
    }
  }

  /** At most one of latents, interpolation and image. */
  static void checkOneKind(
      float[][] latents, GenerationRequest.Interpolation interpolation, byte[] image) {
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

  static void checkCount(int count) {
    if (count < 1 || count > GenerationRequest.MAX_COUNT) {
      throw new InvalidRequestException(
          "count must be 1.." + GenerationRequest.MAX_COUNT + ", got " + count);
    }
  }

  /** One way of giving labels at most: a label, one label per image, or a label name. */
  static void checkLabels(Integer label, List<Integer> labels, String labelName, int count) {
    if (label != null && label < 0) {
      throw new InvalidRequestException("label must be >= 0, got " + label);
    }
    if (labels != null) {
      if (label != null) {
        throw new InvalidRequestException(
            "give label (one for every image) or labels (one per image), not both");
      }
      if (labels.size() != count) {
        throw new InvalidRequestException("labels has " + labels.size() + " labels but the"
            + " request is for " + count + " images (count); give one label per image");
      }
      for (int i = 0; i < labels.size(); i++) {
        if (labels.get(i) == null || labels.get(i) < 0) {
          throw new InvalidRequestException(
              "labels[" + i + "] must be >= 0, got " + labels.get(i));
        }
      }
    }
    if (labelName != null) {
      if (label != null || labels != null) {
        throw new InvalidRequestException(
            "give the label as a number or as a class name, not both");
      }
      if (labelName.isBlank() || labelName.length() > MAX_LABEL_NAME_LENGTH) {
        throw new InvalidRequestException("a label name must be 1.." + MAX_LABEL_NAME_LENGTH
            + " characters, got '" + LogSafe.text(labelName) + "'");
      }
    }
  }

  /** {@code count} rows of equal length, 1..{@value GenerationRequest#MAX_LATENT_DIM}, finite. */
  static void checkLatents(float[][] latents, int count) {
    if (latents == null) {
      return;
    }
    if (latents.length != count) {
      throw new InvalidRequestException("latents has " + latents.length + " rows but the request"
          + " is for " + count + " images (count); give one latent row per image");
    }
    int dim = -1;
    for (int i = 0; i < latents.length; i++) {
      float[] row = latents[i];
      if (row == null || row.length == 0 || row.length > GenerationRequest.MAX_LATENT_DIM) {
        throw new InvalidRequestException("latents row " + i + " must have 1.."
            + GenerationRequest.MAX_LATENT_DIM + " values, got "
            + (row == null ? "none" : row.length));
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
  }

  static void checkInterpolation(GenerationRequest.Interpolation interpolation, int count) {
    if (interpolation != null && interpolation.steps() != count) {
      throw new InvalidRequestException("count " + count + " differs from interpolation.steps "
          + interpolation.steps() + "; an interpolation gives one image per step");
    }
  }

  /**
   * Truncation only for latents drawn from the seed, and at least
   * {@value GenerationRequest#MIN_TRUNCATION}.
   */
  static void checkTruncation(Float truncation, float[][] latents,
      GenerationRequest.Interpolation interpolation, byte[] image) {
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
    if (!Float.isFinite(truncation) || truncation < GenerationRequest.MIN_TRUNCATION) {
      throw new InvalidRequestException("truncation must be a finite number >= "
          + GenerationRequest.MIN_TRUNCATION + ", got " + truncation);
    }
  }

  /**
   * A PNG to vary with a finite spread >= 0, or neither.
   *
   * @param spread not null when {@code image} is given: the record defaults it first
   */
  static void checkImage(byte[] image, Float spread) {
    if (image != null) {
      if (!Png.hasSignature(image)) {
        throw new InvalidRequestException(
            "image is not a PNG: it does not start with the PNG signature");
      }
      if (!Float.isFinite(spread) || spread < 0) {
        throw new InvalidRequestException("spread must be a finite number >= 0, got " + spread);
      }
    } else if (spread != null) {
      throw new InvalidRequestException(
          "spread applies only to variations of an image; this request gives no image");
    }
  }

  static void checkReplyTopic(String replyTopic) {
    if (replyTopic != null && !isTopicName(replyTopic)) {
      throw new InvalidRequestException("replyTopic must be a Kafka topic name (1..249 of"
          + " a-z A-Z 0-9 . _ -, not '.' or '..'), got '" + replyTopic + "'");
    }
  }

  /** Kafka's rule for topic names ({@code org.apache.kafka.common.internals.Topic}). */
  private static boolean isTopicName(String name) {
    return name.matches("[a-zA-Z0-9._-]{1,249}") && !name.equals(".") && !name.equals("..");
  }
}
