package io.genstream.core.kafka;

import io.genstream.core.config.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the pipeline's topics if they do not exist; existing topics are left as they are
 * (their partition count and configuration are not checked or changed).
 *
 * <p>The models topic is the registry: compacted ({@code cleanup.policy=compact}, so every
 * record needs a key), accepting records of up to {@link #MODELS_MAX_MESSAGE_BYTES}, in
 * segments of {@link #MODELS_SEGMENT_BYTES} so that versions deleted by retention (tombstones)
 * leave the disk soon. The
 * checkpoints topic is configured the same way (one record per model, the latest kept).
 * Producers to it need {@link SenderOptions#defaults}; consumers of it need the larger fetch
 * sizes that {@link ReceiverOptions#allFromBeginning} sets
 * ({@link ReceiverOptions#LARGE_RECORD_FETCH_BYTES}).
 *
 * <p>Stateless; every method blocks until the broker answered.
 */
public final class TopicSetup {

  /** A 32 MiB model plus record overhead and headers. */
  public static final int MODELS_MAX_MESSAGE_BYTES = 32 * 1024 * 1024 + 4 * 1024;

  /** Segment size of the checkpoints topic. */
  public static final int CHECKPOINTS_SEGMENT_BYTES = 64 * 1024 * 1024;

  /**
   * Segment size of the models topic. Compaction only cleans closed segments: with Kafka's
   * default (1 GiB, about 400 versions of a 2.6 MB model) the versions that retention deleted
   * would stay on disk, and in every start-up scan, for hours.
   */
  public static final int MODELS_SEGMENT_BYTES = 64 * 1024 * 1024;

  private TopicSetup() {}

  /**
   * How long the first contact with Kafka may take before a service gives up: a broker that
   * refuses the login answers at once, but one that is not there, or a listener that speaks
   * another protocol, never answers.
   */
  public static final Duration FIRST_CONTACT_TIMEOUT = Duration.ofSeconds(15);

  /** {@link #ensure(KafkaConnection, Topics, int)} for a plaintext cluster. */
  public static void ensure(String bootstrapServers, Topics topics, int partitions) {
    ensure(KafkaConnection.of(bootstrapServers), topics, partitions);
  }

  /**
   * {@link #ensure(KafkaConnection, Topics, int, Replication)} with the replication the
   * cluster's broker count calls for ({@link Replication#forBrokers}).
   */
  public static void ensure(KafkaConnection connection, Topics topics, int partitions) {
    ensure(connection, topics, partitions, null);
  }

  /**
   * {@link #ensure(Admin, Topics, int, Replication)} with its own admin client. This is a
   * service's first contact with Kafka, so it is bounded by {@link #FIRST_CONTACT_TIMEOUT} (a
   * default: {@code default.api.timeout.ms} among the user's properties wins) and its failure
   * says why in one line.
   *
   * @param replication of the topics it creates; null: {@link Replication#forBrokers} of the
   *     cluster's broker count
   * @throws KafkaConnectionException if Kafka could not be reached, refused the login, or
   *     refused a topic
   */
  public static void ensure(KafkaConnection connection, Topics topics, int partitions,
      Replication replication) {
    Map<String, Object> props = connection.clientProperties(
        Map.of(
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
            (int) FIRST_CONTACT_TIMEOUT.toMillis(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
            (int) FIRST_CONTACT_TIMEOUT.toMillis() * 2 / 3),
        Map.of());
    try (Admin admin = Admin.create(props)) {
      ensure(admin, topics, partitions, replication != null ? replication
          : Replication.forBrokers(admin.describeCluster().nodes().get().size()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topics", e);
    } catch (ExecutionException e) {
      throw KafkaConnectionException.explain(
          connection, "creating topics", FIRST_CONTACT_TIMEOUT, e.getCause());
    } catch (RuntimeException e) {
      throw KafkaConnectionException.explain(
          connection, "creating topics", FIRST_CONTACT_TIMEOUT, e);
    }
  }

  /**
   * Creates each of {@code topics.all()} that is missing.
   *
   * @param partitions partitions of each new topic, at least 1
   * @param replication replicas of each new topic and its {@code min.insync.replicas}
   * @throws IllegalStateException if the broker refused a topic for another reason than that
   *     it exists already
   */
  public static void ensure(Admin admin, Topics topics, int partitions, Replication replication) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, got " + partitions);
    }
    List<NewTopic> wanted = new ArrayList<>();
    for (String name : topics.all()) {
      Map<String, String> configs = new HashMap<>();
      if (replication.factor() > 1) {
        configs.put(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG,
            String.valueOf(replication.minInsyncReplicas()));
      }
      if (name.equals(topics.models())) {
        configs.putAll(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MODELS_MAX_MESSAGE_BYTES),
            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(MODELS_SEGMENT_BYTES)));
      } else if (name.equals(topics.checkpoints())) {
        configs.putAll(Map.of(
            TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
            TopicConfig.MAX_MESSAGE_BYTES_CONFIG, String.valueOf(MODELS_MAX_MESSAGE_BYTES),
            // Compaction only cleans closed segments: small ones keep a long run's superseded
            // checkpoints (a few MB each, one per version) from piling up on disk.
            TopicConfig.SEGMENT_BYTES_CONFIG, String.valueOf(CHECKPOINTS_SEGMENT_BYTES)));
      }
      wanted.add(new NewTopic(name, partitions, replication.factor()).configs(configs));
    }
    Map<String, KafkaFuture<Void>> results = admin.createTopics(wanted).values();
    for (Map.Entry<String, KafkaFuture<Void>> e : results.entrySet()) {
      try {
        e.getValue().get();
      } catch (ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException("cannot create topic " + e.getKey(), ex.getCause());
        }
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while creating topic " + e.getKey(), ex);
      }
    }
  }
}
