package io.genstream.generator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.PublishedModel;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.TinyGenerator;
import io.genstream.generator.UnknownModelException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Leases, swaps and eviction, with a loader that makes fake models (no ONNX Runtime). */
class ModelCatalogTest {

  private final AtomicInteger loads = new AtomicInteger();
  private final Set<Long> failing = ConcurrentHashMap.newKeySet();
  /** Versions whose next loads fail as the runtime would (transient), count down per attempt. */
  private final Map<Long, AtomicInteger> transientFailures = new ConcurrentHashMap<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private final AtomicLong clock = new AtomicLong();
  private final Map<Long, FakeModel> open = new ConcurrentHashMap<>();
  private final ModelLoader loader = published -> {
    long version = published.manifest().version();
    attempts.incrementAndGet();
    AtomicInteger left = transientFailures.get(version);
    if (left != null && left.getAndDecrement() > 0) {
      throw new IllegalStateException("ONNX Runtime failed to load it (ORT_RUNTIME_EXCEPTION): bad_alloc");
    }
    if (failing.contains(version)) {
      throw new IllegalArgumentException("graph inputs [x] do not match manifest inputs [z]");
    }
    loads.incrementAndGet();
    FakeModel model = new FakeModel(published.manifest());
    open.put(version, model);
    return model;
  };

  @Test
  void aSwappedOutSessionStaysOpenUntilItsLastLeaseCloses() {
    ModelCatalog catalog = new ModelCatalog(loader, 1);
    catalog.add(version(1), loader.load(version(1)));
    ModelLease inFlight = catalog.acquire("digits", "latest");

    catalog.add(version(2), loader.load(version(2)));

    assertThat(open.get(1L).closed).isFalse();
    try (ModelLease next = catalog.acquire("digits", "latest")) {
      assertThat(next.version()).isEqualTo(2);
    }
    assertThat(inFlight.version()).isEqualTo(1);
    inFlight.close();
    assertThat(open.get(1L).closed).isTrue();
    assertThat(open.get(2L).closed).isFalse();
    assertThat(catalog.openSessions("digits")).isEqualTo(1);
  }

  @Test
  void anEvictedPinnedVersionIsReloadedFromItsBytes() {
    ModelCatalog catalog = new ModelCatalog(loader, 1);
    catalog.add(version(1), null);
    catalog.add(version(2), loader.load(version(2)));
    int before = loads.get();

    try (ModelLease pinned = catalog.acquire("digits", "1")) {
      assertThat(pinned.version()).isEqualTo(1);
      assertThat(pinned.model().manifest().version()).isEqualTo(1);
    }

    assertThat(loads.get()).isEqualTo(before + 1);
    // The bound is 1 and the newest stays: version 1 closed as soon as its lease did.
    assertThat(open.get(1L).closed).isTrue();
    assertThat(catalog.openSessions("digits")).isEqualTo(1);
  }

  @Test
  void latestSkipsAVersionThatCannotBeLoaded() {
    ModelCatalog catalog = new ModelCatalog(loader, 2);
    failing.add(3L);
    catalog.add(version(2), null);
    catalog.add(version(3), null);

    try (ModelLease lease = catalog.acquire("digits", "latest")) {
      assertThat(lease.version()).isEqualTo(2);
    }
    assertThatThrownBy(() -> catalog.acquire("digits", "3"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining("model 'digits' version 3 cannot be loaded: graph inputs [x]");
  }

  @Test
  void anInvalidModelIsNeverLoadedAgain() {
    ModelCatalog catalog = new ModelCatalog(loader, 2, 3, clock::get);
    failing.add(3L);
    catalog.add(version(3), null);
    assertThatThrownBy(() -> catalog.acquire("digits", "3")).isInstanceOf(UnknownModelException.class);
    int tried = attempts.get();

    clock.addAndGet(TimeUnit.HOURS.toNanos(1));

    assertThatThrownBy(() -> catalog.acquire("digits", "3"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining("cannot be loaded: graph inputs [x]");
    assertThat(attempts.get()).isEqualTo(tried);
    assertThat(catalog.retainedBytes()).isZero(); // its bytes were dropped with it
    assertThat(catalog.versions()).isEqualTo(Map.of("digits", List.of(3L)));
  }

  @Test
  void aTransientLoadFailureIsRetriedAfterABackOffAndThenServes() {
    ModelCatalog catalog = new ModelCatalog(loader, 2, 3, clock::get);
    catalog.add(version(1), loader.load(version(1)));
    transientFailures.put(2L, new AtomicInteger(2));
    catalog.add(version(2), null);
    int before = attempts.get();

    assertThatThrownBy(() -> catalog.acquire("digits", "2"))
        .isInstanceOf(io.genstream.generator.ModelNotReadyException.class) // transient: wait
        .hasMessageContaining("model 'digits' version 2 failed to load (ONNX Runtime failed")
        .hasMessageContaining("retrying in 1000 ms");
    // Within the back-off: no new attempt, and latest serves the version before.
    assertThatThrownBy(() -> catalog.acquire("digits", "2")).hasMessageContaining("retrying in");
    try (ModelLease latest = catalog.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(1);
    }
    assertThat(attempts.get()).isEqualTo(before + 1);

    clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThatThrownBy(() -> catalog.acquire("digits", "2")).hasMessageContaining("retrying in 2000 ms");
    clock.addAndGet(TimeUnit.SECONDS.toNanos(2));

    try (ModelLease latest = catalog.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(2);
      assertThat(latest.model().generate(new float[4], new long[] {0}, 1)).hasSize(TinyGenerator.PIXELS);
    }
    assertThat(attempts.get()).isEqualTo(before + 3);
  }

  @Test
  void aVersionWhoseHotSwapLoadFailedTransientlyIsListedAndRetried() {
    ModelCatalog catalog = new ModelCatalog(loader, 2, 3, clock::get);
    catalog.add(version(1), loader.load(version(1)));

    catalog.addFailed(version(2), new OutOfMemoryError("Java heap space"));

    assertThat(catalog.versions()).isEqualTo(Map.of("digits", List.of(1L, 2L)));
    try (ModelLease latest = catalog.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(1);
    }
    clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
    try (ModelLease latest = catalog.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(2);
    }
  }

  @Test
  void aHundredVersionsKeepTheBytesOfOnlyTheNewestAndTheNewestServes() {
    ModelCatalog catalog = new ModelCatalog(loader, 2, 3);
    int size = version(1).onnx().length;
    for (long v = 1; v <= 100; v++) {
      // Half read at catch-up (lazy), half hot-swapped in with their session.
      catalog.add(version(v), v <= 50 ? null : loader.load(version(v)));
      assertThat(catalog.retainedVersions()).isLessThanOrEqualTo(3);
      assertThat(catalog.retainedBytes()).isLessThanOrEqualTo(3L * size);
      assertThat(catalog.openSessions("digits")).isLessThanOrEqualTo(2);
    }

    assertThat(catalog.versions().get("digits")).hasSize(100);
    assertThat(catalog.retainedVersions()).isEqualTo(3);
    assertThat(catalog.retainedBytes()).isEqualTo(3L * size);
    try (ModelLease latest = catalog.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(100);
      assertThat(latest.model().generate(new float[4], new long[] {0}, 1)).hasSize(TinyGenerator.PIXELS);
    }
    // The third newest still loads from its bytes; an old one is listed but not loadable.
    try (ModelLease pinned = catalog.acquire("digits", "98")) {
      assertThat(pinned.version()).isEqualTo(98);
    }
    assertThatThrownBy(() -> catalog.acquire("digits", "12"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining("model 'digits' version 12 is no longer retained")
        .hasMessageContaining("only the newest 3 versions");
    // Every session beyond the open bound was closed.
    assertThat(open.values().stream().filter(m -> !m.closed).count()).isLessThanOrEqualTo(2);
  }

  @Test
  void unknownNamesAndVersionsNameTheValidChoices() {
    ModelCatalog catalog = new ModelCatalog(loader, 2);
    catalog.add(version(1), null);
    catalog.add(version(2), null);

    assertThatThrownBy(() -> catalog.acquire("foo", "latest"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessage("unknown model 'foo', known models: [digits]");
    assertThatThrownBy(() -> catalog.acquire("digits", "7"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessage("unknown version 7 of model 'digits', known versions: [1, 2]");
    assertThat(catalog.versions()).isEqualTo(Map.of("digits", List.of(1L, 2L)));
  }

  @Test
  void closeClosesIdleSessionsAtOnceAndLeasedOnesOnRelease() {
    ModelCatalog catalog = new ModelCatalog(loader, 2);
    catalog.add(version(1), loader.load(version(1)));
    catalog.add(version(2), loader.load(version(2)));
    ModelLease lease = catalog.acquire("digits", "1");

    catalog.close();

    assertThat(open.get(2L).closed).isTrue();
    assertThat(open.get(1L).closed).isFalse();
    lease.close();
    lease.close(); // idempotent: must not close twice or go negative
    assertThat(open.get(1L).closed).isTrue();
    assertThat(open.get(1L).closes.get()).isEqualTo(1);
    assertThatThrownBy(() -> catalog.acquire("digits", "latest"))
        .isInstanceOf(IllegalStateException.class);
  }

  private static PublishedModel version(long v) {
    return TinyGenerator.published(v, v);
  }

  private static final class FakeModel implements GenerativeModel {
    final ModelManifest manifest;
    final AtomicInteger closes = new AtomicInteger();
    volatile boolean closed;

    FakeModel(ModelManifest manifest) {
      this.manifest = manifest;
    }

    @Override
    public ModelManifest manifest() {
      return manifest;
    }

    @Override
    public float[] generate(float[] latents, long[] labels, int n) {
      return new float[n * TinyGenerator.PIXELS];
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      closed = true;
    }
  }
}
