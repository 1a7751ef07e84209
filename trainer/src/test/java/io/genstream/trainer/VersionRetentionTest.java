package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelManifest.TensorSpec;
import io.genstream.core.messages.PublishedModel;
import io.genstream.trainer.onnx.OnnxGraphBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** Retention against an in-process broker: what is left on the models topic, and who sees it. */
class VersionRetentionTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Topics TOPICS = Topics.withPrefix("retentiontest.");
  private static EmbeddedKafka kafka;
  private static KafkaSender<String, byte[]> sender;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    TopicSetup.ensure(kafka.bootstrapServers(), TOPICS, 1);
    sender = KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()));
  }

  @AfterAll
  static void stopBroker() {
    sender.close();
    kafka.close();
  }

  @Test
  void keepsTheNewestKPinnedAndBestAndTombstonesTheRestWithTheirGraphs() {
    AtomicLong best = new AtomicLong();
    VersionRetention retention = new VersionRetention(sender, TOPICS.models(), "m", 3,
        Set.of(2L), best::get);
    assertThat(retention.learnExisting(kafka.bootstrapServers(), TIMEOUT)).isEmpty();

    for (long v = 1; v <= 7; v++) {
      List<String> keys = new ArrayList<>();
      keys.add(send(model("m", v)));
      if (v == 3 || v == 6) {
        keys.add(send(graph("m", v, "encoder")));
      }
      // Another model's versions, interleaved: never touched.
      if (v <= 4) {
        send(model("other", v));
      }
      if (v == 4) {
        best.set(4); // promoted: kept while it is best, however old
      }
      retention.published(v, keys).block(TIMEOUT);
      // Newest 3 + pinned 2 + best: the tracked set stays bounded.
      assertThat(retention.tracked().size()).isLessThanOrEqualTo(3 + 1 + 1);
    }
    assertThat(retention.tracked().keySet()).containsExactly(2L, 4L, 5L, 6L, 7L);
    assertThat(latest().get("m/4")).isNotNull();

    best.set(7); // 4 is no longer best: the next trim deletes it
    retention.trim().block(TIMEOUT);

    assertThat(retention.tracked().keySet()).containsExactly(2L, 5L, 6L, 7L);
    assertThat(retention.tracked().get(6L)).containsExactlyInAnyOrder("m/6", "m/6/encoder");
    Map<String, ConsumerRecord<String, byte[]>> latest = latest();
    for (String deleted : List.of("m/1", "m/3", "m/3/encoder", "m/4")) {
      assertThat(latest.get(deleted).value()).as(deleted).isNull();
      assertThat(CloudEvents.attribute(latest.get(deleted).headers(), "reason"))
          .hasValue("retention");
    }
    for (String kept : List.of("m/2", "m/5", "m/6", "m/6/encoder", "m/7")) {
      assertThat(latest.get(kept).value()).as(kept).isNotNull();
    }
    for (long v = 1; v <= 4; v++) {
      ConsumerRecord<String, byte[]> other = latest.get("other/" + v);
      assertThat(other.value()).as("other/" + v).isNotNull();
      assertThat(PublishedModel.fromRecord(other).manifest().version()).isEqualTo(v);
    }
    // The kept versions are still whole model versions.
    assertThat(PublishedModel.fromRecord(latest.get("m/7")).manifest().version()).isEqualTo(7);

    // A trainer started afterwards learns exactly what is live.
    VersionRetention restarted = new VersionRetention(sender, TOPICS.models(), "m", 3,
        Set.of(2L), () -> 7L);
    assertThat(restarted.learnExisting(kafka.bootstrapServers(), TIMEOUT))
        .containsExactly(2L, 5L, 6L, 7L);
    assertThat(restarted.tracked().get(6L)).containsExactlyInAnyOrder("m/6", "m/6/encoder");
    assertThat(VersionRetention.scan(kafka.bootstrapServers(), TOPICS.models(), "other", TIMEOUT)
        .keySet()).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void aRestartWithASmallerKTrimsWhatAnEarlierRunLeft() {
    for (long v = 1; v <= 4; v++) {
      send(model("n", v));
    }
    send(graph("n", 1, "encoder"));
    VersionRetention retention = new VersionRetention(sender, TOPICS.models(), "n", 2);

    assertThat(retention.learnExisting(kafka.bootstrapServers(), TIMEOUT))
        .containsExactly(1L, 2L, 3L, 4L);
    retention.trim().block(TIMEOUT);

    assertThat(VersionRetention.scan(kafka.bootstrapServers(), TOPICS.models(), "n", TIMEOUT)
        .keySet()).containsExactly(3L, 4L);
    assertThat(latest().get("n/1/encoder").value()).isNull();
    assertThat(retention.tracked().keySet()).containsExactly(3L, 4L);
  }

  @Test
  void aFailedTombstoneIsRetriedByTheNextTrim() {
    AtomicInteger failuresLeft = new AtomicInteger(1);
    List<String> deleted = new ArrayList<>();
    KafkaSender<String, byte[]> flaky = new KafkaSender<>() {
      @Override
      public Mono<RecordMetadata> send(ProducerRecord<String, byte[]> record) {
        return Mono.defer(() -> {
          if (failuresLeft.getAndDecrement() > 0) {
            return Mono.error(new KafkaException("broker gone"));
          }
          deleted.add(record.key());
          return Mono.empty();
        });
      }

      @Override
      public void close() {}
    };
    VersionRetention retention = new VersionRetention(flaky, "models", "m", 1);
    retention.published(1).block(TIMEOUT);

    assertThatThrownBy(() -> retention.published(2).block(TIMEOUT))
        .hasMessageContaining("broker gone");
    assertThat(retention.tracked().keySet()).containsExactly(1L, 2L);

    retention.published(3).block(TIMEOUT);
    assertThat(deleted).containsExactly("m/1", "m/2");
    assertThat(retention.tracked().keySet()).containsExactly(3L);
  }

  @Test
  void rejectsBadSettingsAndForeignKeysNamingTheValue() {
    assertThatThrownBy(() -> new VersionRetention(sender, "models", "m", 0))
        .hasMessage("keep must be 1..10000 (versions kept per model), got 0");
    assertThatThrownBy(() -> new VersionRetention(sender, "models", "m", 10_001))
        .hasMessageContaining("got 10001");
    assertThatThrownBy(() -> new VersionRetention(sender, "models", "a/b", 3))
        .hasMessageContaining("got 'a/b'");
    assertThatThrownBy(() -> new VersionRetention(sender, "models", "m", 3, Set.of(0L), () -> 0))
        .hasMessageContaining("pinned versions must be >= 1, got 0");
    VersionRetention retention = new VersionRetention(sender, "models", "m", 3);
    assertThatThrownBy(() -> retention.published(5, List.of("m/5", "m/6/encoder")))
        .hasMessageContaining("key 'm/6/encoder' does not belong to m/5");
    assertThatThrownBy(() -> retention.published(5, List.of("other/5")))
        .hasMessageContaining("key 'other/5'");
    assertThatThrownBy(() -> retention.published(0)).hasMessageContaining("got 0");
    assertThat(retention.tracked()).isEmpty();
  }

  @Test
  void versionOfReadsModelAndVersionFromVersionAndGraphKeys() {
    assertThat(VersionRetention.versionOf("m/7", "m")).isEqualTo(7);
    assertThat(VersionRetention.versionOf("m/7/encoder", "m")).isEqualTo(7);
    assertThat(VersionRetention.versionOf("mm/7", "m")).isZero();
    assertThat(VersionRetention.versionOf("m/x", "m")).isZero();
    assertThat(VersionRetention.versionOf("m/7/", "m")).isZero();
    assertThat(VersionRetention.versionOf("m/-7", "m")).isZero();
    assertThat(VersionRetention.versionOf("m", "m")).isZero();
    assertThat(VersionRetention.versionOf(null, "m")).isZero();
  }

  /** Latest record per key of the models topic, tombstones included. */
  private static Map<String, ConsumerRecord<String, byte[]>> latest() {
    Map<String, ConsumerRecord<String, byte[]>> latest = new HashMap<>();
    TopicScan.readToEnd(kafka.bootstrapServers(), TOPICS.models(), TIMEOUT,
        record -> latest.put(record.key(), record));
    return latest;
  }

  private static String send(ProducerRecord<String, byte[]> record) {
    sender.send(record).block(TIMEOUT);
    return record.key();
  }

  /** A real (tiny) ONNX model version: y = x·W, 2 → 2, W telling versions apart. */
  private static ProducerRecord<String, byte[]> model(String name, long version) {
    byte[] onnx = tinyOnnx(version);
    ModelManifest manifest = new ModelManifest(name, version, version - 1, "test", 1, 1, 2, 2, 0,
        Map.of("x", new TensorSpec("float", new long[] {-1, 2})),
        Map.of("y", new TensorSpec("float", new long[] {-1, 2})),
        PublishedModel.sha256(onnx), System.currentTimeMillis(), Map.of());
    return new PublishedModel(manifest, onnx).toRecord(TOPICS.models(), "test");
  }

  /** A graph record {@code <model>/<version>/<graph>}, as a version's extra networks will be. */
  private static ProducerRecord<String, byte[]> graph(String name, long version, String graph) {
    var headers = CloudEvents.headers(CloudEvents.TYPE_MODEL, "test", PublishedModel.CONTENT_TYPE);
    CloudEvents.header(headers, "model", name);
    CloudEvents.header(headers, "modelversion", version);
    return new ProducerRecord<>(TOPICS.models(), null, name + "/" + version + "/" + graph,
        tinyOnnx(-version), headers);
  }

  private static byte[] tinyOnnx(float scale) {
    OnnxGraphBuilder g = new OnnxGraphBuilder("tiny");
    g.input("x", TensorProto.DataType.FLOAT, "N", 2);
    String w = g.initializer("w", new float[] {scale, 0, 0, scale}, 2, 2);
    g.node("MatMul", "y", new String[] {"x", w});
    g.output("y", TensorProto.DataType.FLOAT, "N", 2);
    return g.build("test", "1").toByteArray();
  }
}
