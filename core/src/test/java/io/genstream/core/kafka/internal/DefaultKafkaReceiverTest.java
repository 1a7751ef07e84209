package io.genstream.core.kafka.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaTestSupport;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.AuthorizationException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

class DefaultKafkaReceiverTest {
  private static KafkaTestSupport kafka;

  @BeforeAll
  static void startBroker() {
    kafka = new KafkaTestSupport();
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void slowSubscriberDoesNotMakeTheConsumerBufferGrow() {
    String topic = "slow";
    kafka.createTopic(topic, 1);
    kafka.produce(topic, 0, 5000);
    int maxPollRecords = 50;
    AtomicReference<CountingConsumer> consumer = new AtomicReference<>();
    ReceiverOptions<String, byte[]> options =
        ReceiverOptions.forGroup(kafka.bootstrapServers(), "slow-group", topic)
            .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, maxPollRecords)
            .withConsumerFactory(props -> {
              CountingConsumer c = new CountingConsumer(props);
              consumer.set(c);
              return c;
            });
    long bound = maxPollRecords + DefaultKafkaReceiver.DELIVERY_PREFETCH;
    AtomicLong delivered = new AtomicLong();
    AtomicLong maxWaiting = new AtomicLong();
    BaseSubscriber<ReceivedRecord<String, byte[]>> subscriber = new BaseSubscriber<>() {
      @Override
      protected void hookOnSubscribe(Subscription subscription) {
        // No demand yet: the test hands it out one record at a time.
      }

      @Override
      protected void hookOnNext(ReceivedRecord<String, byte[]> r) {
        long d = delivered.incrementAndGet();
        maxWaiting.accumulateAndGet(consumer.get().polled.get() - d, Math::max);
        r.acknowledge();
      }
    };
    KafkaReceiver.create(options).receive().subscribe(subscriber);
    try {
      for (int i = 1; i <= 300; i++) {
        subscriber.request(1);
        long expected = i;
        Awaitility.await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
            .atMost(Duration.ofSeconds(20)).until(() -> delivered.get() == expected);
        if (i % 100 == 0) {
          pause(Duration.ofMillis(300)); // a long stall: the consumer must not keep fetching
          maxWaiting.accumulateAndGet(consumer.get().polled.get() - delivered.get(), Math::max);
        }
      }
      // The last request may still let one fetch through; wait for the consumer to go quiet.
      long polledBeforeIdle = settledPolledCount(consumer.get());
      pause(Duration.ofMillis(500));

      assertThat(delivered.get()).isEqualTo(300);
      assertThat(maxWaiting.get()).as("records fetched but not yet delivered")
          .isLessThanOrEqualTo(bound);
      assertThat(consumer.get().polled.get()).as("nothing fetched while there is no demand")
          .isEqualTo(polledBeforeIdle).isLessThan(300 + bound + 1);
      assertThat(consumer.get().pauses.get()).as("partitions were paused").isPositive();
    } finally {
      subscriber.dispose();
    }
  }

  @Test
  void redeliversEveryUnacknowledgedRecordAfterRestart() {
    String topic = "redeliver";
    int n = 100;
    kafka.createTopic(topic, 1);
    kafka.produce(topic, 0, n);
    ReceiverOptions<String, byte[]> options =
        ReceiverOptions.forGroup(kafka.bootstrapServers(), "redeliver-group", topic);

    // First run: 0..49 arrive; 40..49 are acknowledged before 0..29, 30..39 never.
    Set<Long> acked = new TreeSet<>();
    List<ReceivedRecord<String, byte[]>> held = new ArrayList<>();
    KafkaReceiver.create(options).receive()
        .doOnNext(r -> {
          held.add(r);
          if (r.record().offset() == 49) {
            held.stream().filter(h -> h.record().offset() >= 40).forEach(this::ack);
            held.stream().filter(h -> h.record().offset() < 30).forEach(this::ack);
            held.forEach(h -> {
              if (h.record().offset() < 30 || h.record().offset() >= 40) {
                acked.add(h.record().offset());
              }
            });
          }
        })
        .take(50)
        .blockLast(Duration.ofSeconds(30));
    KafkaTestSupport.awaitThreadsGone("genstream-consumer-" + topic);
    assertThat(kafka.committed("redeliver-group", topic)).hasValue(30);

    // Second run, same group: resumes at the first unacknowledged record.
    List<Long> second = KafkaReceiver.create(options).receive()
        .map(r -> r.record().offset())
        .take(n - 30)
        .collectList()
        .block(Duration.ofSeconds(30));

    assertThat(second).first().isEqualTo(30L);
    assertThat(second).containsAll(LongStream.range(30, 40).boxed().collect(Collectors.toList()));
    Set<Long> union = new TreeSet<>(acked);
    union.addAll(second);
    assertThat(union).as("no record lost")
        .containsExactlyElementsOf(LongStream.range(0, n).boxed().collect(Collectors.toList()));
  }

  private void ack(ReceivedRecord<String, byte[]> r) {
    r.acknowledge();
    r.acknowledge(); // idempotent
  }

  @Test
  void commitsOnlyTheContiguousAcknowledgedPrefix() {
    String topic = "prefix";
    kafka.createTopic(topic, 1);
    kafka.produce(topic, 0, 20);
    List<ReceivedRecord<String, byte[]>> received = new CopyOnWriteArrayList<>();
    var subscription = KafkaReceiver
        .create(ReceiverOptions.forGroup(kafka.bootstrapServers(), "prefix-group", topic))
        .receive()
        .subscribe(received::add);
    try {
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 20);

      received.subList(10, 15).forEach(ReceivedRecord::acknowledge); // ahead of a gap
      pause(Duration.ofMillis(600)); // three commit intervals: the gap must hold the commit back
      assertThat(kafka.committed("prefix-group", topic)).isEmpty();

      received.subList(0, 5).forEach(ReceivedRecord::acknowledge);
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(kafka.committed("prefix-group", topic)).hasValue(5));

      received.subList(5, 10).forEach(ReceivedRecord::acknowledge); // closes the gap
      Awaitility.await().atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(kafka.committed("prefix-group", topic)).hasValue(15));
    } finally {
      subscription.dispose();
    }
  }

  @Test
  void allFromBeginningReadsWithoutAGroupAndFollowsNewRecords() throws Exception {
    String topic = "registry";
    kafka.createTopic(topic, 2);
    kafka.produce(topic, 0, 5);
    var groupsBefore = kafka.admin().listGroups().all().get().size();
    Set<String> seen = new ConcurrentSkipListSet<>();
    var subscription = KafkaReceiver
        .create(ReceiverOptions.allFromBeginning(kafka.bootstrapServers(), topic))
        .receive()
        .doOnNext(ReceivedRecord::acknowledge) // harmless without a group
        .subscribe(r -> seen.add(r.key()));
    try {
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 5);
      kafka.produce(topic, 5, 3);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 8);
      assertThat(seen).containsExactlyInAnyOrder("0", "1", "2", "3", "4", "5", "6", "7");
      assertThat(kafka.admin().listGroups().all().get()).as("no new consumer group")
          .hasSize(groupsBefore);
    } finally {
      subscription.dispose();
    }
  }

  @Test
  void allFromBeginningWaitsForATopicThatDoesNotExistYet() {
    String topic = "later";
    Set<String> seen = new ConcurrentSkipListSet<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    var subscription = KafkaReceiver
        .create(ReceiverOptions.allFromBeginning(kafka.bootstrapServers(), topic))
        .receive()
        .subscribe(r -> seen.add(r.key()), failure::set);
    try {
      // Several metadata look-ups find nothing: with no partition assigned a poll would throw.
      pause(Duration.ofMillis(1500));
      assertThat(failure.get()).isNull();
      kafka.createTopic(topic, 1);
      kafka.produce(topic, 0, 3);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 3);
      assertThat(failure.get()).isNull();
    } finally {
      subscription.dispose();
    }
  }

  @Test
  void fatalPollErrorEndsTheStreamAndClosesTheConsumer() {
    String topic = "fatal";
    kafka.createTopic(topic, 1);
    kafka.produce(topic, 0, 3);
    AtomicReference<CountingConsumer> consumer = new AtomicReference<>();
    ReceiverOptions<String, byte[]> options =
        ReceiverOptions.forGroup(kafka.bootstrapServers(), "fatal-group", topic)
            .withConsumerFactory(props -> {
              CountingConsumer c = new CountingConsumer(props);
              consumer.set(c);
              return c;
            });

    StepVerifier.create(KafkaReceiver.create(options).receive())
        .expectNextCount(3)
        .then(() -> consumer.get().failNextPoll = new AuthorizationException("denied"))
        .expectErrorMatches(e -> e instanceof AuthorizationException)
        .verify(Duration.ofSeconds(20));

    assertThat(consumer.get().closed).isTrue();
    KafkaTestSupport.awaitThreadsGone("genstream-consumer-" + topic);
    KafkaTestSupport.awaitThreadsGone("genstream-receiver-" + topic);
  }

  @Test
  void cancellationClosesTheConsumerPromptly() {
    String topic = "cancel";
    kafka.createTopic(topic, 1);
    kafka.produce(topic, 0, 1);
    AtomicReference<CountingConsumer> consumer = new AtomicReference<>();
    ReceiverOptions<String, byte[]> options =
        ReceiverOptions.forGroup(kafka.bootstrapServers(), "cancel-group", topic)
            // A long poll: only wakeup() can end it promptly.
            .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
    options = new ReceiverOptions<>(options.properties(), options.topics(), options.mode(),
        options.keyDeserializer(), options.valueDeserializer(), Duration.ofSeconds(30),
        options.commitInterval(), props -> {
          CountingConsumer c = new CountingConsumer(props);
          consumer.set(c);
          return c;
        });

    List<ReceivedRecord<String, byte[]>> received = new CopyOnWriteArrayList<>();
    var subscription = KafkaReceiver.create(options).receive().subscribe(received::add);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
    received.get(0).acknowledge();
    long t0 = System.nanoTime();
    subscription.dispose();
    KafkaTestSupport.awaitThreadsGone("genstream-consumer-" + topic);
    long closeMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(consumer.get().closed).isTrue();
    assertThat(closeMs).as("close time in ms, poll timeout 30 s").isLessThan(15_000);
    assertThat(kafka.committed("cancel-group", topic)).as("acknowledged offset committed on close")
        .hasValue(1);
  }

  @Test
  void whenClosedCompletesOnlyAfterTheConsumerClosedWithItsFinalCommit() {
    String topic = "when-closed";
    kafka.createTopic(topic, 1);
    kafka.produce(topic, 0, 3);
    AtomicReference<CountingConsumer> consumer = new AtomicReference<>();
    KafkaReceiver<String, byte[]> receiver = KafkaReceiver.create(
        ReceiverOptions.forGroup(kafka.bootstrapServers(), "when-closed-group", topic)
            .withConsumerFactory(props -> {
              CountingConsumer c = new CountingConsumer(props);
              consumer.set(c);
              return c;
            }));
    List<ReceivedRecord<String, byte[]>> received = new CopyOnWriteArrayList<>();
    var subscription = receiver.receive().subscribe(received::add);
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 3);
    received.forEach(ReceivedRecord::acknowledge);

    Boolean closedWhileSubscribed = receiver.whenClosed().thenReturn(true)
        .timeout(Duration.ofMillis(300), Mono.just(false)).block();
    assertThat(closedWhileSubscribed).isFalse();

    subscription.dispose();
    receiver.whenClosed().block(Duration.ofSeconds(10));
    // No waiting here: whenClosed() already covers the close and its final commit.
    assertThat(consumer.get().closed).isTrue();
    assertThat(kafka.committed("when-closed-group", topic)).hasValue(3);
  }

  /** The consumer's fetched-record count once it has stopped changing for 200 ms (at most 5 s). */
  private static long settledPolledCount(CountingConsumer consumer) {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    long before = consumer.polled.get();
    while (System.nanoTime() < deadline) {
      pause(Duration.ofMillis(200));
      long now = consumer.polled.get();
      if (now == before) {
        return now;
      }
      before = now;
    }
    throw new AssertionError("the consumer kept fetching without demand: " + before + " records");
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
