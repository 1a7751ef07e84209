package io.genstream.app.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.kafka.KafkaConnection;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class ManagementServerTest {

  private final HttpClient http = HttpClient.newHttpClient();

  @Test
  void answersProbesAndServesTheServicesCountersAsPrometheusText() throws Exception {
    PrometheusMeterRegistry meters = ManagementServer.meters("sink");
    AtomicLong written = new AtomicLong(41);
    FunctionCounter.builder("genstream.sink.written", written, AtomicLong::get).register(meters);
    AtomicReference<String> notReady = new AtomicReference<>("catching up");

    try (ManagementServer server =
        ManagementServer.start("sink", "127.0.0.1", 0, meters, notReady::get)) {
      String base = "http://127.0.0.1:" + server.port();
      assertThat(get(base + "/health/live").statusCode()).isEqualTo(200);
      HttpResponse<String> waiting = get(base + "/health/ready");
      assertThat(waiting.statusCode()).isEqualTo(503);
      assertThat(waiting.body()).contains("\"reason\":\"catching up\"");

      notReady.set(null);
      written.incrementAndGet();
      assertThat(get(base + "/health/ready").statusCode()).isEqualTo(200);
      String metrics = get(base + "/metrics").body();
      assertThat(metrics).contains("genstream_sink_written_total{service=\"sink\"} 42.0");
      assertThat(metrics).contains("jvm_memory_used_bytes");
    }
  }

  @Test
  void measuresTheGroupsLagPerPartition() throws Exception {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      String topic = "lagged";
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          kafka.bootstrapServers()))) {
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
      }
      Properties producerProps = new Properties();
      producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps,
          new StringSerializer(), new StringSerializer())) {
        for (int i = 0; i < 5; i++) {
          producer.send(new ProducerRecord<>(topic, "k", "v" + i));
        }
      }
      Properties consumerProps = new Properties();
      consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, "behind");
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps,
          new StringDeserializer(), new StringDeserializer())) {
        consumer.commitSync(Map.of(new TopicPartition(topic, 0), new OffsetAndMetadata(2)));
      }
      PrometheusMeterRegistry meters = ManagementServer.meters("test");

      try (ConsumerLag lag = new ConsumerLag(KafkaConnection.of(kafka.bootstrapServers()),
          "behind", meters, Duration.ofMillis(200))) {
        await().atMost(Duration.ofSeconds(20))
            .until(() -> lag.snapshot().getOrDefault(new TopicPartition(topic, 0), -1L) == 3L);
        assertThat(meters.scrape()).contains(
            "genstream_consumer_lag{group=\"behind\",partition=\"0\",service=\"test\","
                + "topic=\"lagged\"} 3.0");
      }
    }
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
