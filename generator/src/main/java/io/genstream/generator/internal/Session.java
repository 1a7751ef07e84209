package io.genstream.generator.internal;

import io.genstream.generator.GenerativeModel;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An open model version and its reference count. The count's first unit belongs to the catalog
 * (its {@link VersionEntry} holds the session); each {@link Lease} takes another.
 * {@link #tryRetain()} fails once the count has reached zero, so a closed session is never
 * handed out; whoever drops the count to zero closes the model.
 */
final class Session {

  private static final Logger log = LoggerFactory.getLogger(Session.class);

  final GenerativeModel model;
  private final AtomicInteger references = new AtomicInteger(1);

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

  /** Drops a reference; the last one closes the model. */
  void release() {
    if (references.decrementAndGet() == 0) {
      model.close();
      log.debug("closed the session of model {} version {}", model.manifest().name(),
          model.manifest().version());
    }
  }
}
