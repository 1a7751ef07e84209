package io.genstream.app.bench;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.generator.EngineOptions;
import io.genstream.generator.GeneratorOptions;
import io.genstream.generator.GeneratorService;
import io.genstream.generator.ModelLoader;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The full Kafka path on one in-process broker: the model published on the models topic, a real
 * {@link GeneratorService} following it and serving the requests topic, and a client that
 * produces single-image JSON requests and consumes the results.
 *
 * <p>The client is a plain {@code KafkaProducer} ({@code acks=all}, {@code linger.ms=0}) and a
 * plain {@code KafkaConsumer} assigned to the results partition (no group). A result counts as
 * done when the client's consumer has it: the generator produced it with {@code acks=all}, so it
 * is durable by then. The same producer and consumer settings measure the raw round trip.
 *
 * <p><b>Threads.</b> Confined to the thread that created it, except the pacing thread that
 * {@link #latency} starts and joins. <b>Ownership.</b> Owns the broker, the service and the
 * clients; {@link #close()} closes the service, then the clients, then the broker.
 */
final class KafkaLoad implements AutoCloseable {

  private static final String SOURCE = "genstream-bench";
  static final String ROUND_TRIP_TOPIC = "genstream.bench.roundtrip";
  /** A phase fails if no result arrives for this long. */
  private static final Duration STALL_TIMEOUT = Duration.ofSeconds(30);

  private final Topics topics = Topics.defaults();
  private final EmbeddedKafka broker;
  private final SimpleMeterRegistry meters;
  private final GeneratorService service;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> results;
  private final String model;
  private final boolean conditional;
  private final int maxInFlightRequests;

  private KafkaLoad(EmbeddedKafka broker, GeneratorService service, SimpleMeterRegistry meters,
      int maxInFlightRequests, BenchModel model) {
    this.broker = broker;
    this.service = service;
    this.meters = meters;
    this.maxInFlightRequests = maxInFlightRequests;
    this.model = BenchModel.NAME;
    this.conditional = model.spec().conditional();
    this.producer = producer(broker.bootstrapServers());
    this.results = consumer(broker.bootstrapServers(), topics.results());
  }

  /**
   * On a fresh bench broker: the pipeline's topics and the round-trip topic (one partition
   * each), and {@code model} published on the models topic. Shared with {@link VideoLoad}.
   */
  static Topics prepare(String bootstrap, BenchModel model) throws Exception {
    Topics topics = Topics.defaults();
    TopicSetup.ensure(bootstrap, topics, 1);
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(ROUND_TRIP_TOPIC, 1, (short) 1))).all()
          .get(30, TimeUnit.SECONDS);
    }
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(bootstrap))) {
      sender.send(model.published().toRecord(topics.models(), SOURCE))
          .block(Duration.ofSeconds(30));
    }
    return topics;
  }

  /**
   * Starts a broker, creates the topics (one partition each), publishes the model, starts a
   * generator service serving batches of up to {@code batch} images on {@code ortThreads}
   * threads and waits until it has loaded the model.
   */
  static KafkaLoad start(BenchModel model, int batch, int ortThreads) {
    EmbeddedKafka broker = EmbeddedKafka.start();
    GeneratorService service = null;
    try {
      String bootstrap = broker.bootstrapServers();
      Topics topics = prepare(bootstrap, model);
      // The service's default, unless batches could not fill up with it.
      int inFlight = Math.max(GeneratorOptions.DEFAULT_MAX_IN_FLIGHT_REQUESTS, 4 * batch);
      GeneratorOptions options = GeneratorOptions.builder(bootstrap)
          .topics(topics)
          .ortIntraOpThreads(ortThreads)
          .engine(EngineOptions.defaults()
              .withBatching(batch, EngineOptions.defaults().maxBatchWait())
              .withMaxQueuedImages(Math.max(EngineOptions.defaults().maxQueuedImages(), inFlight)))
          .maxInFlightRequests(inFlight)
          .build();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      service = GeneratorService.create(options, ModelLoader.onnxRuntime(ortThreads), meters)
          .start();
      service.ready().block(Duration.ofSeconds(60));
      return new KafkaLoad(broker, service, meters, inFlight, model);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (service != null) {
        service.close();
      }
      broker.close();
      throw new IllegalStateException("cannot start the broker and generator: " + e, e);
    }
  }

  int maxInFlightRequests() {
    return maxInFlightRequests;
  }

  /**
   * @param images images per second, first request sent to last result consumed
   * @param requestsOnBrokerSeconds when the broker had acknowledged the last request
   * @param meters the engine's meters over the phase
   */
  record Throughput(double images, int requests, double seconds, double requestsOnBrokerSeconds,
      EngineMeters meters, CpuMeter.Usage cpu) {}

  /**
   * {@code n} single-image requests {@code <prefix>-0..n-1} produced as fast as possible; the
   * time from the first send to the last result consumed.
   */
  Throughput throughput(String prefix, int n) {
    CpuMeter.Mark cpu = CpuMeter.start();
    EngineMeters.Mark mark = EngineMeters.mark(meters);
    long start = System.nanoTime();
    AtomicLong lastAck = new AtomicLong(start);
    send(prefix, n, lastAck);
    awaitResults(prefix, n, null);
    double seconds = (System.nanoTime() - start) / 1e9;
    EngineMeters engine = EngineMeters.since(meters, mark);
    CpuMeter.Usage usage = cpu.stop(10);
    return new Throughput(n / seconds, n, seconds, (lastAck.get() - start) / 1e9, engine, usage);
  }

  /** Round trips of a 1 KiB record through the broker, one at a time, for {@code duration}. */
  Percentiles roundTrip(Duration duration, int warmup) {
    return roundTrip(producer, broker.bootstrapServers(), ROUND_TRIP_TOPIC, new byte[1024],
        duration, warmup);
  }

  /**
   * Round trips of {@code value} through {@code topic} (one partition), one at a time: sent with
   * {@code producer}, consumed by a consumer made by {@link #consumer}; {@code warmup} round trips
   * first, then timed ones for {@code duration} (at least 20).
   *
   * @throws IllegalStateException if a record is not consumed within the stall timeout
   */
  static Percentiles roundTrip(KafkaProducer<String, byte[]> producer, String bootstrap,
      String topic, byte[] value, Duration duration, int warmup) {
    try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrap, topic)) {
      long[] nanos = new long[1 << 16];
      int n = 0;
      long end = Long.MAX_VALUE;
      for (int i = 0; n < nanos.length; i++) {
        if (i == warmup) {
          end = System.nanoTime() + duration.toNanos();
        }
        if (i >= warmup && System.nanoTime() >= end && n >= 20) {
          break;
        }
        long start = System.nanoTime();
        producer.send(new ProducerRecord<>(topic, "rt-" + i, value));
        long deadline = start + STALL_TIMEOUT.toNanos();
        boolean seen = false;
        while (!seen) {
          for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
            seen |= record.key().equals("rt-" + i);
          }
          if (!seen && System.nanoTime() > deadline) {
            throw new IllegalStateException("round trip record rt-" + i + " not consumed within "
                + STALL_TIMEOUT);
          }
        }
        if (i >= warmup) {
          nanos[n++] = System.nanoTime() - start;
        }
      }
      return Percentiles.ofNanos(nanos, n);
    }
  }

  /**
   * @param rate requests per second actually sent
   * @param latency produce call to result consumed, per request
   * @param toResultSentMs median from request produced to the generator handing the result to
   *     its producer (record timestamps, ms resolution)
   * @param resultSentToConsumedMs median from then to the client consuming it
   * @param meters the engine's meters over the phase
   * @param cpu CPU over the phase, by thread
   */
  record Latency(double targetRate, double rate, Percentiles latency, double toResultSentMs,
      double resultSentToConsumedMs, EngineMeters meters, CpuMeter.Usage cpu) {}

  /**
   * Single-image requests {@code <prefix>-0..} sent at {@code rate} per second (open loop: a
   * pacing thread sends on schedule whatever the results do) for {@code duration}; the latency
   * of each from the produce call to its result consumed.
   */
  Latency latency(String prefix, double rate, Duration duration) throws InterruptedException {
    int n = (int) Math.max(20, Math.round(rate * duration.toNanos() / 1e9));
    long[] sent = new long[n];
    long[] sentMillis = new long[n];
    long[] latency = new long[n];
    long[] toResultSent = new long[n];
    long[] resultSentToConsumed = new long[n];
    long interval = Math.round(1e9 / rate);
    AtomicReference<Throwable> pacerFailure = new AtomicReference<>();
    EngineMeters.Mark mark = EngineMeters.mark(meters);
    CpuMeter.Mark cpu = CpuMeter.start();
    long start = System.nanoTime() + 10_000_000;
    Thread pacer = new Thread(() -> {
      try {
        for (int i = 0; i < n; i++) {
          long due = start + i * interval;
          for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
          sentMillis[i] = System.currentTimeMillis();
          sent[i] = System.nanoTime();
          String id = prefix + "-" + i;
          producer.send(new ProducerRecord<>(topics.requests(), null, sentMillis[i], id,
              request(id, i)));
        }
      } catch (RuntimeException e) {
        pacerFailure.set(e);
      }
    }, "genstream-bench-pacer");
    pacer.start();
    awaitResults(prefix, n, (record, i) -> {
      long now = System.nanoTime();
      latency[i] = now - sent[i];
      toResultSent[i] = record.timestamp() - sentMillis[i];
      resultSentToConsumed[i] = System.currentTimeMillis() - record.timestamp();
    });
    pacer.join();
    if (pacerFailure.get() != null) {
      throw new IllegalStateException("sending requests failed: " + pacerFailure.get(),
          pacerFailure.get());
    }
    double sendSeconds = (sent[n - 1] - sent[0]) / 1e9;
    EngineMeters engine = EngineMeters.since(meters, mark);
    return new Latency(rate, n > 1 && sendSeconds > 0 ? (n - 1) / sendSeconds : rate,
        Percentiles.ofNanos(latency, n), median(toResultSent), median(resultSentToConsumed),
        engine, cpu.stop(10));
  }

  private static double median(long[] values) {
    long[] copy = values.clone();
    java.util.Arrays.sort(copy);
    return copy[copy.length / 2];
  }

  private byte[] request(String requestId, int i) {
    // As a person would type it; the label cycles through the classes of a conditional model.
    String json = "{\"requestId\":\"" + requestId + "\",\"model\":\"" + model
        + "\",\"count\":1,\"seed\":" + i + (conditional ? ",\"label\":" + i % 10 : "") + "}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /** Sends {@code n} requests {@code <prefix>-0..n-1} without waiting; acks move {@code lastAck}. */
  private void send(String prefix, int n, AtomicLong lastAck) {
    for (int i = 0; i < n; i++) {
      String id = prefix + "-" + i;
      producer.send(new ProducerRecord<>(topics.requests(), id, request(id, i)),
          (metadata, error) -> {
            if (error == null && lastAck != null) {
              lastAck.accumulateAndGet(System.nanoTime(), Math::max);
            }
          });
    }
  }

  /** What to do with the first result of request {@code <prefix>-index}. */
  private interface OnResult {
    void accept(ConsumerRecord<String, byte[]> record, int index);
  }

  /** Polls the results until requests {@code <prefix>-0..n-1} each have one. */
  private void awaitResults(String prefix, int n, OnResult onResult) {
    BitSet seen = new BitSet(n);
    String start = prefix + "-";
    long lastProgress = System.nanoTime();
    while (seen.cardinality() < n) {
      for (ConsumerRecord<String, byte[]> record : results.poll(Duration.ofMillis(100))) {
        String key = record.key();
        if (key == null || !key.startsWith(start)) {
          continue; // an earlier phase's result
        }
        int index = Integer.parseInt(key.substring(start.length()));
        if (index < n && !seen.get(index)) {
          seen.set(index);
          lastProgress = System.nanoTime();
          if (onResult != null) {
            onResult.accept(record, index);
          }
        }
      }
      if (System.nanoTime() - lastProgress > STALL_TIMEOUT.toNanos()) {
        throw new IllegalStateException("no result for " + STALL_TIMEOUT + ": " + seen.cardinality()
            + " of " + n + " '" + prefix + "' results consumed; generator " + service.stats());
      }
    }
  }

  /** The benchmark client's producer: {@code acks=all}, {@code linger.ms=0}. */
  static KafkaProducer<String, byte[]> producer(String bootstrap) {
    Map<String, Object> props = new HashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "genstream-bench-client");
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * The benchmark client's consumer: no group, assigned to partition 0 of {@code topic} and
   * positioned at its end before this returns (so that it sees only what is sent after).
   */
  static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genstream-bench-" + topic);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToEnd(List.of(partition));
    consumer.position(partition); // resolves the end now, before anything is sent
    return consumer;
  }

  /** Closes the service (it drains), the client, then the broker. */
  @Override
  public void close() {
    try {
      service.close();
    } finally {
      try {
        producer.close(Duration.ofSeconds(10));
        results.close(Duration.ofSeconds(10));
      } finally {
        broker.close();
      }
    }
  }
}
