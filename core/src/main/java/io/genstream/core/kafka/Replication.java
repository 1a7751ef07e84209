package io.genstream.core.kafka;

/**
 * How many copies of each created topic a cluster keeps, and how many must have a write before
 * it is acknowledged ({@code acks=all}): a topic of one replica loses its records with its
 * broker, however the producers acknowledge.
 *
 * @param factor replicas of each new topic, 1..32767
 * @param minInsyncReplicas the topic's {@code min.insync.replicas}, 1..factor
 */
public record Replication(short factor, short minInsyncReplicas) {

  /** Replicas when the cluster has room for them: survives one broker lost with writes going on. */
  public static final short DEFAULT_FACTOR = 3;

  public Replication {
    if (factor < 1) {
      throw new IllegalArgumentException("replication factor must be at least 1, got " + factor);
    }
    if (minInsyncReplicas < 1 || minInsyncReplicas > factor) {
      throw new IllegalArgumentException("min.insync.replicas must be 1.." + factor
          + " (the replication factor), got " + minInsyncReplicas);
    }
  }

  /**
   * The default for a cluster of {@code brokers}: one replica on a single broker (the demo, a
   * developer's broker); otherwise {@value #DEFAULT_FACTOR}, or as many as there are brokers,
   * with all but one in sync.
   */
  public static Replication forBrokers(int brokers) {
    if (brokers < 1) {
      throw new IllegalArgumentException("a cluster has at least one broker, got " + brokers);
    }
    short factor = (short) Math.min(brokers, DEFAULT_FACTOR);
    return new Replication(factor, (short) Math.max(1, factor - 1));
  }
}
