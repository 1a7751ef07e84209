package io.genstream.core.messages;

import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Values of {@code ce_id}: UUIDs in the random-based layout (version 4, IETF variant), drawn
 * cheaply. {@link UUID#randomUUID()} reads {@code SecureRandom} for every id, a synchronised
 * read of the system's entropy pool that cost more than the rest of a result record's headers;
 * an event id needs to be unique, not unpredictable.
 *
 * <p>Each process draws one random UUID (from {@code SecureRandom}) when it first needs an id;
 * its ids keep that UUID's first 64 bits and add a counter to its last 62 random bits. So ids
 * are unique within a process by construction (for 2<sup>62</sup> ids), and two processes give
 * the same id only if they drew the same 60 random bits of the first half, as unlikely as a
 * collision of two {@code randomUUID()}s. Thread-safe.
 */
final class EventIds {

  private static final long VARIANT_BITS = 0x8000_0000_0000_0000L;
  private static final long LOW_62_BITS = 0x3FFF_FFFF_FFFF_FFFFL;

  private static final UUID BASE = UUID.randomUUID();
  private static final AtomicLong NEXT = new AtomicLong();

  private EventIds() {}

  /** A new id, {@code xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx}. */
  static String next() {
    return next(BASE, NEXT.getAndIncrement()).toString();
  }

  /** The {@code n}-th id after {@code base}; package-private for tests. */
  static UUID next(UUID base, long n) {
    long low = (base.getLeastSignificantBits() + n) & LOW_62_BITS;
    return new UUID(base.getMostSignificantBits(), VARIANT_BITS | low);
  }
}
