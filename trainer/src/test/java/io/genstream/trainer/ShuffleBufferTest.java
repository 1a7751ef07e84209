package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;
import reactor.test.publisher.TestPublisher;
import reactor.test.scheduler.VirtualTimeScheduler;

/** The shuffle buffer's order, bound, demand, pauses and termination. */
class ShuffleBufferTest {

  private static final Duration PAUSE = Duration.ofMillis(250);

  @Test
  void holdsAtMostItsCapacityAndWhatIsOnItsWayOutHoweverLongTheStream() {
    int capacity = 64;
    int n = 1_000_000;
    AtomicLong in = new AtomicLong();
    AtomicLong out = new AtomicLong();
    AtomicLong mostHeld = new AtomicLong();
    // Before each arrival, what went in and did not come out is what the stage holds: its
    // slots, and arrivals that the source sent within one request, before the drain loop
    // swaps each for an occupant that goes out.
    Flux<Integer> source = Flux.range(0, n)
        .doOnNext(i -> mostHeld.accumulateAndGet(in.getAndIncrement() - out.get(), Math::max));
    long count = ShuffleBuffer.shuffle(source, capacity, PAUSE, 3, Schedulers.parallel())
        .doOnNext(i -> out.incrementAndGet())
        .limitRate(8) // a consumer that asks for little at a time
        .count()
        .block(Duration.ofSeconds(60));

    assertThat(count).isEqualTo(n);
    assertThat(mostHeld.get()).isBetween((long) capacity, capacity + 8L);
  }

  @Test
  void shufflesEveryElementOnceWhenElementsAndRequestsComeFromDifferentThreads() {
    int n = 200_000;
    int prefetch = 8;
    AtomicLong in = new AtomicLong();
    AtomicLong out = new AtomicLong();
    AtomicLong mostHeld = new AtomicLong();
    Scheduler consumer = Schedulers.newSingle("shuffle-test-consumer");
    try {
      Flux<Integer> source = Flux.range(0, n).subscribeOn(Schedulers.single())
          .doOnNext(i -> mostHeld.accumulateAndGet(in.getAndIncrement() - out.get(), Math::max));
      List<Integer> shuffled = ShuffleBuffer.shuffle(source, 64, PAUSE, 3, Schedulers.parallel())
          .doOnNext(i -> out.incrementAndGet())
          .publishOn(consumer, prefetch)
          .collectList()
          .block(Duration.ofSeconds(60));

      assertThat(shuffled.stream().sorted().toList())
          .isEqualTo(IntStream.range(0, n).boxed().toList());
      assertThat(shuffled).isNotEqualTo(IntStream.range(0, n).boxed().toList());
      // The slots hold at most 64; an arrival may wait for the drain loop running on the
      // consumer's thread, within the consumer's demand.
      assertThat(mostHeld.get()).isBetween(64L, 64L + prefetch);
    } finally {
      consumer.dispose();
    }
  }

  @Test
  void requestsItsCapacityToFillThenOneInForEachOneOut() {
    List<Long> requests = new CopyOnWriteArrayList<>();
    Flux<Integer> source = Flux.range(0, 10_000).doOnRequest(requests::add);
    StepVerifier.create(ShuffleBuffer.shuffle(source, 100, PAUSE, 1, Schedulers.parallel()), 0)
        .then(() -> assertThat(total(requests)).isEqualTo(100)) // fills without demand
        .thenRequest(5)
        .expectNextCount(5)
        .then(() -> assertThat(total(requests)).isEqualTo(105))
        .thenRequest(20)
        .expectNextCount(20)
        .then(() -> assertThat(total(requests)).isEqualTo(125))
        .thenCancel()
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void drainsInRandomOrderWhenTheSourcePausesAndFillsAgainWhenItResumes() {
    TestPublisher<Integer> source = TestPublisher.create();
    List<Integer> received = new CopyOnWriteArrayList<>();
    StepVerifier.withVirtualTime(() -> ShuffleBuffer.shuffle(source.flux(), 1000, PAUSE, 7,
            VirtualTimeScheduler.get()).doOnNext(received::add), 0)
        .expectSubscription()
        .thenRequest(2000)
        .then(() -> IntStream.range(0, 300).forEach(source::next))
        .expectNoEvent(PAUSE.minusMillis(1)) // not full: it waits, though asked for more
        .thenAwait(Duration.ofMillis(1))
        .expectNextCount(300) // a pause: all 300 drain
        .then(() -> {
          assertThat(received.stream().sorted().toList())
              .isEqualTo(IntStream.range(0, 300).boxed().toList());
          assertThat(received).isNotEqualTo(IntStream.range(0, 300).boxed().toList());
          // The source resumes: the buffer fills again before anything comes out.
          IntStream.range(300, 1000).forEach(source::next);
          assertThat(received).hasSize(300);
          IntStream.range(1000, 1600).forEach(source::next);
        })
        .expectNextCount(300) // 300 more fill it, the next 300 each let one out
        .then(source::complete)
        .expectNextCount(1000) // complete: the rest drains
        .verifyComplete();
    assertThat(received.stream().sorted().toList())
        .isEqualTo(IntStream.range(0, 1600).boxed().toList());
  }

  @Test
  void aSourceThatKeepsSendingIsNotTakenForPaused() {
    TestPublisher<Integer> source = TestPublisher.create();
    StepVerifier.Step<Integer> script = StepVerifier.withVirtualTime(() -> ShuffleBuffer.shuffle(
        source.flux(), 100, PAUSE, 7, VirtualTimeScheduler.get()), 10).expectSubscription();
    // One element every 200 ms for 5 seconds: never a 250 ms gap, never full, nothing out.
    for (int i = 0; i < 25; i++) {
      int element = i;
      script = script.then(() -> source.next(element)).expectNoEvent(Duration.ofMillis(200));
    }
    script.thenAwait(PAUSE.minusMillis(200)) // then a pause: as much as was asked for
        .expectNextCount(10)
        .thenCancel()
        .verify(Duration.ofSeconds(5));
  }

  @Test
  void completesOnlyAfterEveryElementCameOutExactlyOnce() {
    List<Integer> out = ShuffleBuffer.shuffle(Flux.range(0, 10_000), 500, PAUSE, 2,
        Schedulers.parallel()).collectList().block(Duration.ofSeconds(10));
    assertThat(out.stream().sorted().toList())
        .isEqualTo(IntStream.range(0, 10_000).boxed().toList());
    // Mixed over about its capacity: the mean displacement is in the hundreds, not 0.
    double displacement = IntStream.range(0, out.size())
        .map(i -> Math.abs(out.get(i) - i)).average().orElseThrow();
    assertThat(displacement).isBetween(200.0, 2_000.0);
  }

  @Test
  void theSameSeedGivesTheSameOrder() {
    Flux<Integer> shuffled =
        ShuffleBuffer.shuffle(Flux.range(0, 5_000), 256, PAUSE, 11, Schedulers.parallel());
    assertThat(shuffled.collectList().block()).isEqualTo(shuffled.collectList().block());
  }

  @Test
  void anErrorDiscardsTheBufferAndIsPassedOnAtOnce() {
    List<Object> discarded = new CopyOnWriteArrayList<>();
    Flux<Integer> failing =
        Flux.range(0, 30).concatWith(Flux.error(new IllegalStateException("broker gone")));
    StepVerifier.create(ShuffleBuffer.shuffle(failing, 100, PAUSE, 1, Schedulers.parallel())
            .doOnDiscard(Integer.class, discarded::add))
        .expectErrorMessage("broker gone")
        .verify(Duration.ofSeconds(5));
    assertThat(discarded).hasSize(30);
  }

  @Test
  void cancellingDiscardsTheBuffer() {
    List<Object> discarded = new CopyOnWriteArrayList<>();
    StepVerifier.create(ShuffleBuffer.shuffle(Flux.range(0, 1_000).concatWith(Flux.never()), 100,
            PAUSE, 1, Schedulers.parallel()).doOnDiscard(Integer.class, discarded::add), 0)
        .thenRequest(10)
        .expectNextCount(10)
        .thenCancel()
        .verify(Duration.ofSeconds(5));
    assertThat(discarded).hasSize(100);
  }

  @Test
  void aCapacityOfZeroOrOneLeavesTheStreamAsItIs() {
    Flux<Integer> source = Flux.range(0, 10);
    assertThat(ShuffleBuffer.shuffle(source, 0, PAUSE, 1, Schedulers.parallel())).isSameAs(source);
    assertThat(ShuffleBuffer.shuffle(source, 1, PAUSE, 1, Schedulers.parallel())).isSameAs(source);
  }

  @Test
  void whileTheStreamFlowsNoElementStaysLongerThanThreeCapacities() {
    int capacity = 100;
    ShuffleSlots<Integer> slots = new ShuffleSlots<>(capacity, 5);
    int longest = 0;
    int byAge = 0;
    for (int i = 0; i < 1_000_000; i++) {
      Integer left = slots.add(i);
      if (left != null) {
        longest = Math.max(longest, i - left);
        byAge += i - left == 3 * capacity ? 1 : 0;
      }
      assertThat(slots.size()).isLessThanOrEqualTo(capacity);
    }
    assertThat(longest).isEqualTo(3 * capacity);
    // Random replacement alone would keep about e^-3 of the elements that long; they leave then.
    assertThat(byAge / 1e6).isBetween(0.04, 0.06);
  }

  @Test
  void takeEmptiesTheSlotsInRandomOrder() {
    ShuffleSlots<Integer> slots = new ShuffleSlots<>(50, 9);
    IntStream.range(0, 50).forEach(slots::add);
    List<Integer> taken = new ArrayList<>();
    while (!slots.isEmpty()) {
      taken.add(slots.take());
    }
    assertThat(taken.stream().sorted().toList()).isEqualTo(IntStream.range(0, 50).boxed().toList());
    assertThat(taken).isNotEqualTo(IntStream.range(0, 50).boxed().toList());
    // Taking kept the arrival order intact: the slots fill and age as before.
    IntStream.range(0, 50).forEach(i -> assertThat(slots.add(i)).isNull());
    assertThat(slots.add(50)).isNotNull();
  }

  private static long total(List<Long> requests) {
    return requests.stream().mapToLong(Long::longValue).sum();
  }
}
