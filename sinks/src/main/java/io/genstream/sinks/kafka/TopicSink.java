package io.genstream.sinks.kafka;

import io.genstream.core.failure.Failures;
import io.genstream.core.failure.TransientFailure;
import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.sinks.ResultSink;
import java.util.Objects;
import org.apache.kafka.clients.producer.ProducerConfig;
import reactor.core.publisher.Mono;

/**
 * Forwards each result to a Kafka topic of the user's choosing, possibly on another cluster:
 * the same record (key, CloudEvents headers, PNG or raw value) as on the results topic, so any
 * consumer of {@code genstream.result.v1} reads it.
 *
 * <p>A write completes when the target broker acknowledged the record. Failures are classified
 * by {@link Failures}: the broker away or a leader moving is transient (the service retries);
 * a record the topic refuses for good (too large, no right to write, invalid topic) is
 * permanent (dead letter). The target topic is not created here: it must exist (or the
 * target cluster must create topics on first write).
 *
 * <p>Owns its producer; {@link #close()} flushes and closes it.
 */
public final class TopicSink implements ResultSink {

  /** The {@code ce_source} of the forwarded records. */
  public static final String SOURCE = "genstream-sink-kafka";

  private final String topic;
  private final KafkaSender<String, byte[]> sender;

  /** A sink to {@code topic} of a plaintext cluster without client properties. */
  public TopicSink(String bootstrapServers, String topic) {
    this(KafkaConnection.of(bootstrapServers), topic);
  }

  /**
   * @param target the target cluster and its client settings
   * @param topic the target topic
   */
  public TopicSink(KafkaConnection target, String topic) {
    Objects.requireNonNull(target, "target");
    if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}") || topic.equals(".")
        || topic.equals("..")) {
      throw new IllegalArgumentException("topic must be a Kafka topic name "
          + "([a-zA-Z0-9._-], 1..249 characters), got '" + topic + "'");
    }
    this.topic = topic;
    // Not idempotent, as the generator's results producer: a record the topic refuses for good
    // must not leave a sequence gap that stalls every later one.
    this.sender = KafkaSender.create(SenderOptions.defaults(target)
        .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false));
  }

  @Override
  public String name() {
    return "kafka:" + topic;
  }

  @Override
  public Mono<Void> write(GeneratedImage image) {
    return sender.send(image.toRecord(topic, SOURCE))
        .onErrorMap(e -> Failures.isUnpublishable(e) ? new IllegalArgumentException(
                "topic " + topic + " refuses this result: " + e, e)
            : new TransientFailure("forwarding to " + topic + " failed: " + e, e))
        .then();
  }

  @Override
  public void close() {
    sender.close();
  }
}
