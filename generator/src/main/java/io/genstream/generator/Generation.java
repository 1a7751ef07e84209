package io.genstream.generator;

import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import java.util.List;

/**
 * What the engine produced for one request: one result per image, in index order, all from
 * the same model version.
 *
 * @param request the request as served (its seed and id filled in)
 * @param version the version that {@code latest} or {@code best} resolved to
 * @param provider the execution provider the batch ran on ({@code cpu}, {@code cuda})
 */
public record Generation(GenerationRequest request, long version, String provider,
    List<GeneratedImage> images) {

  public Generation {
    images = List.copyOf(images);
  }
}
