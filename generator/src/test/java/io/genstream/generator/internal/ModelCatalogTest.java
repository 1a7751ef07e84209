package io.genstream.generator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.genstream.core.messages.ModelManifest;
import io.genstream.core.messages.ModelStatus;
import io.genstream.core.messages.ModelStatus.VersionStatus;
import io.genstream.core.messages.PublishedModel;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.generator.GenerativeModel;
import io.genstream.generator.ImageEncoder;
import io.genstream.generator.ModelLease;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelNotReadyException;
import io.genstream.generator.TinyGenerator;
import io.genstream.generator.TinyVae;
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

  private final AtomicInteger encoderLoads = new AtomicInteger();
  private final AtomicInteger encoderAttempts = new AtomicInteger();
  private final Set<Long> invalidEncoders = ConcurrentHashMap.newKeySet();
  private final Map<Long, AtomicInteger> transientEncoderFailures = new ConcurrentHashMap<>();
  private final Map<Long, FakeEncoder> encoders = new ConcurrentHashMap<>();
  /** {@link #loader}, and fake encoders that fail as asked. */
  private final ModelLoader vaeLoader = new ModelLoader() {
    @Override
    public GenerativeModel load(PublishedModel model) {
      return loader.load(model);
    }

    @Override
    public ImageEncoder loadEncoder(ModelManifest manifest, byte[] onnx) {
      long version = manifest.version();
      encoderAttempts.incrementAndGet();
      AtomicInteger left = transientEncoderFailures.get(version);
      if (left != null && left.getAndDecrement() > 0) {
        throw new IllegalStateException("ONNX Runtime failed: bad_alloc");
      }
      if (invalidEncoders.contains(version)) {
        throw new IllegalArgumentException("graph outputs [z] do not match the spec's outputs [logvar, mu]");
      }
      encoderLoads.incrementAndGet();
      FakeEncoder encoder = new FakeEncoder(manifest);
      encoders.put(version, encoder);
      return encoder;
    }
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

  // ---- encoders ----

  @Test
  void anEncoderIsLoadedOnFirstUseOnceAndClosedWithItsSessionAfterTheLastLease() {
    ModelCatalog catalog = new ModelCatalog(vaeLoader, 1);
    catalog.add(vae(1), encoderOf(1), vaeLoader.load(vae(1)));
    ModelLease first = catalog.acquire(TinyVae.NAME, "latest");
    ModelLease second = catalog.acquire(TinyVae.NAME, "latest");
    assertThat(encoderLoads).hasValue(0); // lazily: nothing asked for it yet

    ImageEncoder encoder = first.encoder();

    assertThat(second.encoder()).isSameAs(encoder);
    assertThat(encoderLoads).hasValue(1);
    assertThat(encoder.encode(new float[16], new long[] {0}, 1).mean(0)).containsExactly(1, 1, 1, 1);
    // Version 2 swaps in; version 1's session (and encoder) serve on until their last lease.
    catalog.add(vae(2), encoderOf(2), vaeLoader.load(vae(2)));
    first.close();
    assertThat(encoders.get(1L).closed).isFalse();
    second.close();
    assertThat(encoders.get(1L).closed).isTrue();
    assertThat(open.get(1L).closed).isTrue();
    assertThatThrownBy(first::encoder).isInstanceOf(IllegalStateException.class)
        .hasMessage("lease already closed");
    try (ModelLease latest = catalog.acquire(TinyVae.NAME, "latest")) {
      assertThat(latest.encoder().encode(new float[16], new long[] {0}, 1).mean(0))
          .containsExactly(2, 2, 2, 2);
    }
    catalog.close();
    assertThat(encoders.get(2L).closed).isTrue();
  }

  @Test
  void aVersionWithoutAnEncoderGraphSaysThatVariationsNeedAVae() {
    ModelCatalog catalog = new ModelCatalog(vaeLoader, 2);
    catalog.add(version(3), null);

    try (ModelLease lease = catalog.acquire("digits", "3")) {
      assertThatThrownBy(lease::encoder)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("model 'digits' version 3 has no encoder graph (family cgan); variations "
              + "need a VAE");
    }
    assertThat(encoderLoads).hasValue(0);
  }

  @Test
  void anEncoderGraphArrivesAfterItsVersionAndItsTombstoneRemovesIt() {
    ModelCatalog catalog = new ModelCatalog(vaeLoader, 2);
    catalog.add(vae(1), null);
    assertThat(catalog.addGraph(TinyVae.NAME, 7, ImageEncoder.GRAPH, TinyVae.encoderOnnx(7)))
        .isFalse(); // unknown version: the caller holds it

    try (ModelLease lease = catalog.acquire(TinyVae.NAME, "1")) {
      assertThatThrownBy(lease::encoder)
          .isInstanceOf(UnknownModelException.class)
          .hasMessage("model 'digits-vae' version 1's encoder graph was not received: no valid "
              + "record digits-vae/1/encoder on the models topic");
    }
    assertThat(catalog.addGraph(TinyVae.NAME, 1, ImageEncoder.GRAPH, TinyVae.encoderOnnx(1)))
        .isTrue();
    assertThat(catalog.retainedGraphs()).isEqualTo(1);
    ModelLease held = catalog.acquire(TinyVae.NAME, "1");
    ImageEncoder encoder = held.encoder();

    assertThat(catalog.removeGraph(TinyVae.NAME, 1, ImageEncoder.GRAPH)).isTrue();

    assertThat(catalog.retainedGraphs()).isZero();
    assertThatThrownBy(held::encoder)
        .isInstanceOf(UnknownModelException.class)
        .hasMessage("model 'digits-vae' version 1's encoder graph was removed");
    // The one already handed out serves its lease, and closes with the session.
    assertThat(encoder.encode(new float[16], new long[] {0}, 1).n()).isEqualTo(1);
    held.close();
    catalog.remove(TinyVae.NAME, 1);
    assertThat(encoders.get(1L).closed).isTrue();
  }

  @Test
  void aHundredVaeVersionsKeepTheEncoderBytesOfOnlyTheNewest() {
    ModelCatalog catalog = new ModelCatalog(vaeLoader, 2, 3);
    long versionBytes = vae(1).onnx().length + TinyVae.encoderOnnx(1).length;
    ModelLease pinned = null;
    for (long v = 1; v <= 100; v++) {
      catalog.add(vae(v), encoderOf(v), v <= 50 ? null : vaeLoader.load(vae(v)));
      if (v == 98) {
        pinned = catalog.acquire(TinyVae.NAME, "98"); // a session open, its encoder not loaded
      }
      assertThat(catalog.retainedGraphs()).isLessThanOrEqualTo(3);
      assertThat(catalog.retainedBytes()).isLessThanOrEqualTo(3 * versionBytes);
    }

    assertThat(catalog.retainedGraphs()).isEqualTo(3);
    assertThat(catalog.retainedBytes()).isEqualTo(3 * versionBytes);
    try (ModelLease latest = catalog.acquire(TinyVae.NAME, "latest")) {
      assertThat(latest.encoder().manifest().version()).isEqualTo(100);
    }
    catalog.add(vae(101), encoderOf(101), null);
    // Version 98's bytes went with the bound: its open session serves, but its encoder, never
    // loaded, cannot be any more.
    assertThat(pinned.model().generate(new float[4], new long[] {0}, 1)).hasSize(16);
    assertThatThrownBy(pinned::encoder)
        .isInstanceOf(UnknownModelException.class)
        .hasMessageContaining("model 'digits-vae' version 98's encoder graph is no longer retained")
        .hasMessageContaining("only the newest 3 versions");
    pinned.close();
    assertThat(catalog.retainedBytes()).isEqualTo(3 * versionBytes);
    assertThat(encoders.values().stream().filter(e -> !e.closed).count()).isLessThanOrEqualTo(2);
  }

  @Test
  void anInvalidEncoderIsNeverLoadedAgainAndATransientFailureIsRetriedAfterTheBackOff() {
    ModelCatalog catalog = new ModelCatalog(vaeLoader, 2, 3, clock::get);
    invalidEncoders.add(1L);
    transientEncoderFailures.put(2L, new AtomicInteger(1));
    catalog.add(vae(1), encoderOf(1), null);
    catalog.add(vae(2), encoderOf(2), null);

    try (ModelLease lease = catalog.acquire(TinyVae.NAME, "1")) {
      assertThatThrownBy(lease::encoder)
          .isInstanceOf(UnknownModelException.class)
          .hasMessage("model 'digits-vae' version 1's encoder graph cannot be loaded: graph "
              + "outputs [z] do not match the spec's outputs [logvar, mu]");
      int tried = encoderAttempts.get();
      clock.addAndGet(TimeUnit.HOURS.toNanos(1));
      assertThatThrownBy(lease::encoder).hasMessageContaining("cannot be loaded");
      assertThat(encoderAttempts.get()).isEqualTo(tried);
    }
    assertThat(catalog.retainedGraphs()).isEqualTo(1); // version 1's dead bytes were dropped

    try (ModelLease lease = catalog.acquire(TinyVae.NAME, "2")) {
      assertThatThrownBy(lease::encoder)
          .isInstanceOf(ModelNotReadyException.class)
          .hasMessage("model 'digits-vae' version 2's encoder graph failed to load (ONNX Runtime "
              + "failed: bad_alloc); retrying in 1000 ms");
      clock.addAndGet(TimeUnit.SECONDS.toNanos(1));
      assertThat(lease.encoder().manifest().version()).isEqualTo(2);
    }
  }

  @Test
  void aLoaderThatLoadsNoEncodersFailsTheEncoderForGood() {
    ModelCatalog catalog = new ModelCatalog(loader, 2);
    catalog.add(vae(1), encoderOf(1), null);

    try (ModelLease lease = catalog.acquire(TinyVae.NAME, "1")) {
      assertThatThrownBy(lease::encoder)
          .isInstanceOf(UnknownModelException.class)
          .hasMessage("model 'digits-vae' version 1's encoder graph cannot be loaded: this model "
              + "loader does not load encoder graphs");
      // The generator still serves.
      assertThat(lease.model().generate(new float[4], new long[] {0}, 1)).hasSize(16);
    }
  }

  @Test
  void graphBytesAreCheckedAgainstTheManifest() {
    ModelManifest manifest = vae(1).manifest();

    assertThat(ModelRecords.checkGraph(manifest, ImageEncoder.GRAPH,
        TinyVae.encoderOnnx(1))).isTrue();
    assertThat(ModelRecords.checkGraph(manifest, "discriminator", new byte[3])).isFalse();
    assertThatThrownBy(() -> ModelRecords.checkGraph(manifest, ImageEncoder.GRAPH,
        TinyVae.encoderOnnx(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("graph digits-vae/1/encoder: SHA-256 mismatch, manifest says "
            + manifest.graphs().get(ImageEncoder.GRAPH).sha256() + ", bytes hash to ");
  }

  @Test
  void servesTheVersionPromotedToBest() {
    ModelCatalog catalog = withVersions(3);
    catalog.setStatus(promoted(ModelStatus.none("digits", "fd"), 2));

    try (ModelLease best = catalog.acquire("digits", "best")) {
      assertThat(best.version()).isEqualTo(2);
      assertThat(best.model().manifest().version()).isEqualTo(2);
    }
    try (ModelLease latest = catalog.acquire("digits", "latest")) {
      assertThat(latest.version()).isEqualTo(3);
    }
  }

  @Test
  void bestMovesWithTheStatusAndALeaseTakenBeforeKeepsItsVersion() {
    ModelCatalog catalog = withVersions(3);
    ModelStatus first = promoted(ModelStatus.none("digits", "fd"), 1);
    catalog.setStatus(first);
    ModelLease inFlight = catalog.acquire("digits", "best");

    catalog.setStatus(promoted(first, 3));

    try (ModelLease next = catalog.acquire("digits", "best")) {
      assertThat(next.version()).isEqualTo(3);
    }
    assertThat(inFlight.version()).isEqualTo(1);
    assertThat(inFlight.model().generate(new float[TinyGenerator.LATENT], new long[] {0}, 1))
        .hasSize(TinyGenerator.PIXELS);
    inFlight.close();
  }

  @Test
  void aRejectedVersionServesByNumberButNeverAsBest() {
    ModelCatalog catalog = withVersions(2);
    ModelStatus status = promoted(ModelStatus.none("digits", "fd"), 1)
        .judged(2, new VersionStatus(ModelStatus.REJECTED, "diversity 0.1 < 0.3"), null);
    catalog.setStatus(status);

    try (ModelLease best = catalog.acquire("digits", "best")) {
      assertThat(best.version()).isEqualTo(1);
    }
    try (ModelLease pinned = catalog.acquire("digits", "2")) {
      assertThat(pinned.version()).isEqualTo(2);
    }

    // A rejected newest version with nothing promoted: best waits, it never falls back to it.
    catalog.setStatus(ModelStatus.none("digits", "fd")
        .judged(2, new VersionStatus(ModelStatus.REJECTED, "diversity 0.1 < 0.3"), null));
    assertThatThrownBy(() -> catalog.acquire("digits", "best"))
        .isInstanceOf(ModelNotReadyException.class)
        .hasMessage("model 'digits' has no version promoted to 'best' yet "
            + "(latest is v2, rejected: diversity 0.1 < 0.3)");
  }

  @Test
  void bestIsNotReadyUntilAVersionIsPromoted() {
    ModelCatalog catalog = withVersions(7);
    assertThatThrownBy(() -> catalog.acquire("digits", "best"))
        .isInstanceOf(ModelNotReadyException.class)
        .hasMessage("model 'digits' has no version promoted to 'best' yet "
            + "(latest is v7, not judged yet)");

    catalog.setStatus(ModelStatus.none("digits", "fd")
        .judged(7, new VersionStatus(ModelStatus.CANDIDATE, ""), null));
    assertThatThrownBy(() -> catalog.acquire("digits", "best"))
        .isInstanceOf(ModelNotReadyException.class)
        .hasMessage("model 'digits' has no version promoted to 'best' yet "
            + "(latest is v7, candidate)");
  }

  @Test
  void aStatusReadBeforeItsModelsVersionsAppliesOnceTheyArrive() {
    ModelCatalog catalog = new ModelCatalog(loader, 2);
    assertThat(catalog.setStatus(promoted(ModelStatus.none("digits", "fd"), 2))).isTrue();
    assertThatThrownBy(() -> catalog.acquire("digits", "best"))
        .isInstanceOf(UnknownModelException.class);

    catalog.add(version(1), null);
    // Its promoted version is newer than any known: on its way, so the request waits.
    assertThatThrownBy(() -> catalog.acquire("digits", "best"))
        .isInstanceOf(ModelNotReadyException.class)
        .hasMessageContaining("version 2 is promoted to 'best' but its record has not been read");

    catalog.add(version(2), null);
    try (ModelLease best = catalog.acquire("digits", "best")) {
      assertThat(best.version()).isEqualTo(2);
    }
  }

  @Test
  void statusesOfModelsWithoutVersionsAreBounded() {
    ModelCatalog catalog = withVersions(1);
    catalog.setStatus(promoted(ModelStatus.none("digits", "fd"), 1));
    for (int i = 0; i < ModelStatuses.MAX_WITHOUT_VERSIONS; i++) {
      assertThat(catalog.setStatus(ModelStatus.none("stray" + i, "fd"))).isTrue();
    }

    assertThat(catalog.setStatus(ModelStatus.none("one-too-many", "fd"))).isFalse();
    assertThat(catalog.status("one-too-many")).isNull();
    // A model with versions, or one already kept, is always updated.
    assertThat(catalog.setStatus(promoted(ModelStatus.none("stray0", "fd"), 4))).isTrue();
    assertThat(catalog.status("stray0").best()).isEqualTo(4);
    assertThat(catalog.setStatus(ModelStatus.none("digits", "fd"))).isTrue();
  }

  @Test
  void aClearedStatusLeavesNoBest() {
    ModelCatalog catalog = withVersions(2);
    catalog.setStatus(promoted(ModelStatus.none("digits", "fd"), 2));
    catalog.acquire("digits", "best").close();

    catalog.clearStatus("digits");

    assertThat(catalog.status("digits")).isNull();
    assertThatThrownBy(() -> catalog.acquire("digits", "best"))
        .isInstanceOf(ModelNotReadyException.class)
        .hasMessageContaining("no version promoted to 'best' yet");
  }

  @Test
  void aRemovedOrUnloadableBestFailsAsTheSameVersionByNumberWould() {
    ModelCatalog catalog = withVersions(3);
    catalog.setStatus(promoted(ModelStatus.none("digits", "fd"), 2));
    catalog.remove("digits", 2);

    assertThatThrownBy(() -> catalog.acquire("digits", "2"))
        .isInstanceOf(UnknownModelException.class);
    assertThatThrownBy(() -> catalog.acquire("digits", "best"))
        .isInstanceOf(UnknownModelException.class)
        .hasMessage("model 'digits' version 2, promoted to 'best', was removed; "
            + "known versions: [1, 3]");

    failing.add(1L);
    catalog.setStatus(promoted(ModelStatus.none("digits", "fd"), 1));
    Throwable byNumber = catchThrowable(() -> catalog.acquire("digits", "1"));
    Throwable asBest = catchThrowable(() -> catalog.acquire("digits", "best"));
    assertThat(byNumber).isInstanceOf(UnknownModelException.class);
    assertThat(asBest).isInstanceOf(UnknownModelException.class)
        .hasMessage(byNumber.getMessage());
  }

  /** A catalog of versions 1..{@code newest} of {@code digits}, none loaded yet. */
  private ModelCatalog withVersions(long newest) {
    ModelCatalog catalog = new ModelCatalog(loader, 2);
    for (long v = 1; v <= newest; v++) {
      catalog.add(version(v), null);
    }
    return catalog;
  }

  private static ModelStatus promoted(ModelStatus status, long version) {
    return status.judged(version, new VersionStatus(ModelStatus.BEST, "fd " + version), 1.0);
  }

  private static PublishedModel vae(long v) {
    return TinyVae.published(v, v);
  }

  private static Map<String, byte[]> encoderOf(long v) {
    return Map.of(ImageEncoder.GRAPH, TinyVae.encoderOnnx(v));
  }

  private static PublishedModel version(long v) {
    return TinyGenerator.published(v, v);
  }

  /** Mean = the version number, logVar = 0, for every image. */
  private static final class FakeEncoder implements ImageEncoder {
    final ModelManifest manifest;
    volatile boolean closed;

    FakeEncoder(ModelManifest manifest) {
      this.manifest = manifest;
    }

    @Override
    public ModelManifest manifest() {
      return manifest;
    }

    @Override
    public Encoded encode(float[] images, long[] labels, int n) {
      float[] mean = new float[n * TinyGenerator.LATENT];
      java.util.Arrays.fill(mean, manifest.version());
      return new Encoded(n, TinyGenerator.LATENT, mean, new float[mean.length]);
    }

    @Override
    public void close() {
      closed = true;
    }
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
