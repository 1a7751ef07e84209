package io.genstream.generator.internal;

import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ImageEncoder;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open model version (its generator, and its encoder once a lease asked for it) and its
 * reference count. The count's first unit belongs to the catalog (its {@link VersionEntry} holds
 * the session); each {@link Lease} takes another. {@link #tryRetain()} fails once the count has
 * reached zero, so a closed session is never handed out; whoever drops the count to zero closes
 * the encoder, then the model.
 */
final class Session {

  private static final Logger log = LoggerFactory.getLogger(Session.class);

  final GenerativeModel model;
  private final AtomicInteger references = new AtomicInteger(1);
  /** Set once, by the entry under its lock, while a lease holds this session open. */
  private volatile ImageEncoder encoder;

  Session(GenerativeModel model) {
    this.model = model;
  }

  /** Takes a reference; false once the session is closed. */
  boolean tryRetain() {
    for (;;) {
      int count = references.get();
      if (count == 0) {
        return false;
      }
      if (references.compareAndSet(count, count + 1)) {
        return true;
      }
    }
  }

  /** The encoder loaded for this session, or null. */
  ImageEncoder encoder() {
    return encoder;
  }

  /**
   * Hands the session an encoder to close with it. Only under a lease, so the session cannot
   * have closed yet.
   */
  void encoder(ImageEncoder loaded) {
    encoder = loaded;
  }

  /** Drops a reference; the last one closes the encoder, then the model. */
  void release() {
    if (references.decrementAndGet() == 0) {
      ImageEncoder loaded = encoder;
      if (loaded != null) {
        loaded.close();
      }
      model.close();
      log.debug("closed the session of model {} version {}", model.manifest().name(),
          model.manifest().version());
    }
  }
}
