package io.genstream.generator.internal;

import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ImageEncoder;
import io.genstream.generator.ModelLease;
import java.util.concurrent.atomic.AtomicBoolean;

/** One reference on a {@link Session}, given back exactly once by {@link #close()}. */
final class Lease implements ModelLease {

  private final VersionEntry entry;
  private final Session session;
  private final AtomicBoolean open = new AtomicBoolean(true);

  /** @param session a session of {@code entry}, retained for this lease already */
  Lease(VersionEntry entry, Session session) {
    this.entry = entry;
    this.session = session;
  }

  @Override
  public GenerativeModel model() {
    checkOpen();
    return session.model;
  }

  /** The session's encoder, loaded by the entry on first use (blocking). */
  @Override
  public ImageEncoder encoder() {
    checkOpen();
    return entry.encoder(session);
  }

  @Override
  public void close() {
    if (open.compareAndSet(true, false)) {
      session.release();
    }
  }

  private void checkOpen() {
    if (!open.get()) {
      throw new IllegalStateException("lease already closed");
    }
  }
}
