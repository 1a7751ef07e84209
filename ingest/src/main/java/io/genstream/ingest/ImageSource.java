package io.genstream.ingest;

import reactor.core.publisher.Flux;

/**
 * Where training images come from: synthetic renderers, folders, IDX files, video frames, HTTP
 * uploads. A source reads and normalises; {@link IngestService} paces and publishes: images to
 * the images topic, rejections to the dead-letter topic.
 */
public interface ImageSource {

  /** A short name for logs and the {@code ce_source} attribute, e.g. {@code synthetic-digits}. */
  String name();

  /**
   * The items, lazily: nothing is read or rendered before subscription, and a slow subscriber
   * slows the source down (it honours demand). May be infinite; a finite source completes after
   * its last item. A bad input is a {@link SourceItem.Rejection} on the stream, never an error
   * signal: one bad file must not end the ingest.
   */
  Flux<SourceItem> items();
}
