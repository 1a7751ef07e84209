package io.genstream.ingest;

import io.genstream.core.messages.LabelledImage;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What an {@link ImageSource} emits: an image ready for the topic, or a rejected input. */
public sealed interface SourceItem permits SourceItem.Image, SourceItem.Rejection {

  /** Where the item came from: a file path, {@code path#index} for an entry of a file, a name. */
  String origin();

  /**
   * A normalised image.
   *
   * @param attributes extra CloudEvents attributes for its record (names lower-case letters and
   *     digits), e.g. {@code labelname}
   */
  record Image(LabelledImage image, String origin, Map<String, String> attributes)
      implements SourceItem {
    public Image {
      Objects.requireNonNull(image, "image");
      Objects.requireNonNull(origin, "origin");
      attributes = Map.copyOf(attributes);
    }

    public Image(LabelledImage image, String origin) {
      this(image, origin, Map.of());
    }
  }

  /**
   * An input that is not an image we can use, with the reason in words.
   *
   * @param file the file to attach to the dead letter (its bytes up to a cap), if there is one
   */
  record Rejection(String origin, String reason, Optional<Path> file) implements SourceItem {
    public Rejection {
      Objects.requireNonNull(origin, "origin");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(file, "file");
    }

    /** A rejected file: its path is the origin and its bytes the dead letter's value. */
    public static Rejection ofFile(Path file, String reason) {
      return new Rejection(file.toString(), reason, Optional.of(file));
    }
  }
}
