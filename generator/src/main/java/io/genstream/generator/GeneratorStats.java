package io.genstream.generator;

/**
 * Counters of a {@link GeneratorService} since it started; a snapshot.
 *
 * @param requestsServed requests whose images were all acknowledged by the broker
 * @param imagesGenerated images published
 * @param deadLettered requests forwarded to the dead-letter topic
 */
public record GeneratorStats(long requestsServed, long imagesGenerated, long deadLettered) {

  @Override
  public String toString() {
    return requestsServed + " requests served, " + imagesGenerated + " images generated, "
        + deadLettered + " dead-lettered";
  }
}
