package io.genstream.ingest;

import io.genstream.core.messages.LabelledImage;
import reactor.core.publisher.Flux;

/**
 * Where training images come from: synthetic renderers, folders, IDX files, video frames, HTTP
 * uploads. A source only produces images; {@link IngestService} validates, paces and publishes
 * them.
 */
public interface ImageSource {

  /** A short name for logs and the {@code ce_source} attribute, e.g. {@code synthetic-digits}. */
  String name();

  /**
   * The images, lazily: nothing is read or rendered before subscription, and a slow subscriber
   * slows the source down (it honours demand). May be infinite.
   */
  Flux<LabelledImage> images();
}
