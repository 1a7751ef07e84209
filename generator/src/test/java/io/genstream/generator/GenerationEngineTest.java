package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.image.Png;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class GenerationEngineTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  private final List<GenerationEngine> engines = new ArrayList<>();
  private final OneModelRegistry registry = new OneModelRegistry(
      ModelLoader.onnxRuntime(1).load(TinyGenerator.published(1, 1f)), batchSizes);

  @AfterEach
  void close() {
    engines.forEach(GenerationEngine::close);
    registry.close();
  }

  @Test
  void batchesConcurrentSingleImageRequestsIntoFewOnnxRuntimeCalls() {
    GenerationEngine engine = engine(EngineOptions.defaults().withBatching(64, Duration.ofMillis(200)));

    List<Generation> results = Flux.range(0, 32)
        .flatMap(i -> engine.generate(request("r" + i, 1, i)), 32)
        .collectList().block(TIMEOUT);

    assertThat(results).hasSize(32);
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(32);
    assertThat(batchSizes).hasSizeLessThanOrEqualTo(4);
    assertThat(batchSizes.stream().mapToInt(Integer::intValue).max().orElseThrow()).isGreaterThan(1);
  }

  @Test
  void anImageDoesNotDependOnTheRequestsThatSharedItsBatch() {
    GenerationEngine engine = engine(EngineOptions.defaults().withBatching(64, Duration.ofMillis(100)));
    byte[] alone = engine.generate(request("alone", 1, 5)).block(TIMEOUT).images().get(0).png();

    List<Generation> crowded = Flux.range(0, 16)
        .flatMap(i -> engine.generate(request("c" + i, 1 + i % 3, 100 + i)), 16)
        .mergeWith(engine.generate(request("again", 1, 5)))
        .collectList().block(TIMEOUT);

    Generation again = crowded.stream().filter(g -> g.request().requestId().equals("again"))
        .findFirst().orElseThrow();
    assertThat(again.images().get(0).png()).isEqualTo(alone);
    assertThat(batchSizes.subList(1, batchSizes.size()))
        .anySatisfy(size -> assertThat(size).isGreaterThan(3));
  }

  @Test
  void splitsARequestLargerThanTheBatchSizeAndGivesTheSameImages() {
    GenerationEngine small = engine(EngineOptions.defaults().withBatching(4, Duration.ZERO));
    GenerationEngine large = engine(EngineOptions.defaults().withBatching(64, Duration.ZERO));

    Generation split = small.generate(request("split", 10, 9)).block(TIMEOUT);
    List<Integer> smallCalls = List.copyOf(batchSizes);
    Generation whole = large.generate(request("whole", 10, 9)).block(TIMEOUT);

    assertThat(smallCalls).containsExactly(4, 4, 2);
    assertThat(split.images()).extracting(GeneratedImage::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    for (int i = 0; i < 10; i++) {
      assertThat(split.images().get(i).png()).isEqualTo(whole.images().get(i).png());
    }
  }

  @Test
  void resultsCarryVersionShapeProviderAndLabels() {
    GenerationEngine engine = engine(EngineOptions.defaults());
    GenerationRequest labelled = parse("{\"requestId\":\"l\",\"model\":\"digits\",\"labels\":[3,1,4]}");

    Generation generation = engine.generate(labelled).block(TIMEOUT);

    assertThat(generation.version()).isEqualTo(1);
    assertThat(generation.provider()).isEqualTo("cpu");
    assertThat(generation.images()).extracting(GeneratedImage::label).containsExactly(3, 1, 4);
    GeneratedImage first = generation.images().get(0);
    assertThat(first.shape()).isEqualTo("1,4,4");
    assertThat(first.provider()).isEqualTo("cpu");
    assertThat(Png.decode(first.png()).width()).isEqualTo(TinyGenerator.SIDE);
  }

  @Test
  void rawResultsAreTheUint8PixelsOfThePng() {
    GenerationEngine engine = engine(EngineOptions.defaults());
    GeneratedImage png = engine.generate(request("p", 1, 11)).block(TIMEOUT).images().get(0);
    GeneratedImage raw = engine.generate(parse(
        "{\"requestId\":\"r\",\"model\":\"digits\",\"seed\":11,\"format\":\"raw\"}"))
        .block(TIMEOUT).images().get(0);

    assertThat(raw.raw()).isTrue();
    assertThat(raw.contentType()).isEqualTo(GeneratedImage.RAW_CONTENT_TYPE);
    assertThat(raw.data()).isEqualTo(Png.decode(png.png()).pixels());
  }

  @Test
  void explicitLatentsGiveTheImagesOfTheSeedThatDrewThem() {
    GenerationEngine engine = engine(EngineOptions.defaults());
    ModelManifest manifest = TinyGenerator.published(1, 1f).manifest();
    Conditioning seeded = Conditioning.fromSeed(21, 2, manifest, 6);
    StringBuilder rows = new StringBuilder("[");
    for (int i = 0; i < 2; i++) {
      rows.append(i == 0 ? "[" : ",[");
      for (int k = 0; k < TinyGenerator.LATENT; k++) {
        rows.append(k == 0 ? "" : ",").append(seeded.latents()[i * TinyGenerator.LATENT + k]);
      }
      rows.append("]");
    }
    rows.append("]");

    Generation fromLatents = engine.generate(parse("{\"requestId\":\"z\",\"model\":\"digits\","
        + "\"label\":6,\"latents\":" + rows + "}")).block(TIMEOUT);
    Generation fromSeed = engine.generate(
        new GenerationRequest("s", "digits", "latest", 2, 21, 6)).block(TIMEOUT);

    for (int i = 0; i < 2; i++) {
      assertThat(fromLatents.images().get(i).png()).isEqualTo(fromSeed.images().get(i).png());
    }
  }

  @Test
  void interpolationStartsAndEndsAtTheImagesOfItsSeeds() {
    GenerationEngine engine = engine(EngineOptions.defaults());
    Generation path = engine.generate(parse("{\"requestId\":\"i\",\"model\":\"digits\",\"label\":2,"
        + "\"interpolation\":{\"from\":1,\"to\":2,\"steps\":5}}")).block(TIMEOUT);
    byte[] from = engine.generate(new GenerationRequest("a", "digits", "latest", 1, 1, 2))
        .block(TIMEOUT).images().get(0).png();
    byte[] to = engine.generate(new GenerationRequest("b", "digits", "latest", 1, 2, 2))
        .block(TIMEOUT).images().get(0).png();

    assertThat(path.images()).hasSize(5);
    assertThat(path.images().get(0).png()).isEqualTo(from);
    assertThat(path.images().get(4).png()).isEqualTo(to);
    assertThat(path.images().get(2).png()).isNotEqualTo(from).isNotEqualTo(to);
  }

  @Test
  void truncationChangesOnlyImagesWithLatentsBeyondTheThreshold() {
    GenerationEngine engine = engine(EngineOptions.defaults());
    Generation plain = engine.generate(new GenerationRequest("p", "digits", "latest", 8, 3, 1))
        .block(TIMEOUT);
    Generation truncated = engine.generate(parse("{\"requestId\":\"t\",\"model\":\"digits\","
        + "\"count\":8,\"seed\":3,\"label\":1,\"truncation\":0.5}")).block(TIMEOUT);
    Generation again = engine.generate(parse("{\"requestId\":\"t2\",\"model\":\"digits\","
        + "\"count\":8,\"seed\":3,\"label\":1,\"truncation\":0.5}")).block(TIMEOUT);

    assertThat(truncated.images()).extracting(image -> new String(image.png(), StandardCharsets.ISO_8859_1))
        .isEqualTo(again.images().stream().map(image -> new String(image.png(), StandardCharsets.ISO_8859_1)).toList())
        .isNotEqualTo(plain.images().stream().map(image -> new String(image.png(), StandardCharsets.ISO_8859_1)).toList());
  }

  @Test
  void typedErrorsForInvalidUnknownAndUnservedRequests() {
    GenerationEngine engine = engine(EngineOptions.defaults().withMaxCount(8));

    assertThatThrownBy(() -> engine.generate(request("big", 9, 1)).block(TIMEOUT))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("count must be 1..8");
    assertThatThrownBy(() -> engine.generate(new GenerationRequest("l", "digits", "latest", 1, 1, 10))
        .block(TIMEOUT))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("valid labels are 0..9");
    assertThatThrownBy(() -> engine.generate(new GenerationRequest("u", "faces", "latest", 1, 1, null))
        .block(TIMEOUT))
        .isInstanceOf(UnknownModelException.class).hasMessageContaining("faces");
    String png = java.util.Base64.getEncoder().encodeToString(Png.encode(
        new io.genstream.core.image.GrayImage(4, 4, new byte[16])));
    assertThatThrownBy(() -> engine.generate(parse("{\"requestId\":\"v\",\"model\":\"digits\","
        + "\"image\":\"" + png + "\"}")).block(TIMEOUT))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("model 'digits' version 1 has no encoder graph (family cgan); variations need a VAE");
  }

  @Test
  void anInvalidRequestFailsAloneAndItsBatchIsServed() {
    GenerationEngine engine = engine(EngineOptions.defaults().withBatching(64, Duration.ofMillis(200)));

    List<Object> outcomes = Flux.concat(
            Flux.range(0, 6).map(i -> request("ok" + i, 1, i)),
            Flux.just(new GenerationRequest("bad", "digits", "latest", 1, 1, 42)))
        .flatMap(r -> engine.generate(r).<Object>map(g -> g.request().requestId())
            .onErrorResume(e -> Mono.just(e.getClass().getSimpleName())), 8)
        .collectList().block(TIMEOUT);

    assertThat(outcomes).containsExactlyInAnyOrder(
        "ok0", "ok1", "ok2", "ok3", "ok4", "ok5", "InvalidRequestException");
  }

  @Test
  void anEncoderThatCannotServeYetFailsItsVariationsRequestAloneAndTheBatchIsServed() {
    registry.encoder = () -> {
      throw new ModelNotReadyException("model 'digits' version 1's encoder graph failed to load "
          + "(bad_alloc); retrying in 1000 ms");
    };
    GenerationEngine engine = engine(EngineOptions.defaults().withBatching(64, Duration.ofMillis(200)));
    String png = java.util.Base64.getEncoder().encodeToString(Png.encode(
        new io.genstream.core.image.GrayImage(4, 4, new byte[16])));

    List<Object> outcomes = Flux.concat(
            Flux.range(0, 4).map(i -> request("ok" + i, 1, i)),
            Flux.just(parse("{\"requestId\":\"v\",\"model\":\"digits\",\"label\":1,"
                + "\"image\":\"" + png + "\"}")))
        .flatMap(r -> engine.generate(r).<Object>map(g -> g.request().requestId())
            .onErrorResume(e -> Mono.just(e.getClass().getSimpleName())), 8)
        .collectList().block(TIMEOUT);

    // Transient: the Kafka route retries it later instead of dead-lettering it.
    assertThat(outcomes).containsExactlyInAnyOrder(
        "ok0", "ok1", "ok2", "ok3", "ModelNotReadyException");
  }

  @Test
  void refusesRequestsBeyondTheQueueBoundAsOverloadedAndServesTheRest() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    registry.blockInferenceUntil(release);
    GenerationEngine engine = engine(new EngineOptions(8, 8, Duration.ZERO, 16, 1, 1));

    List<Mono<Generation>> accepted = new ArrayList<>();
    // The first batch takes the only inference thread and blocks; 16 more images fill the queue.
    Mono<Generation> first = engine.generate(request("first", 8, 0)).cache();
    first.subscribe(g -> {}, e -> {});
    org.awaitility.Awaitility.await().until(() -> registry.inferencesStarted() == 1);
    for (int i = 0; i < 2; i++) {
      Mono<Generation> queued = engine.generate(request("q" + i, 8, i)).cache();
      queued.subscribe(g -> {}, e -> {});
      accepted.add(queued);
    }
    assertThatThrownBy(() -> engine.generate(request("over", 1, 9)).block(TIMEOUT))
        .isInstanceOf(OverloadedException.class).hasMessageContaining("16 images queued");
    assertThat(io.genstream.core.failure.Failures.isTransient(new OverloadedException("x"))).isTrue();

    release.countDown();
    assertThat(first.block(TIMEOUT).images()).hasSize(8);
    for (Mono<Generation> queued : accepted) {
      assertThat(queued.block(TIMEOUT).images()).hasSize(8);
    }
    assertThat(engine.queuedImages()).isZero();
  }

  // ---------------------------------------------------------------------------------------------

  @Test
  void severalEncodeThreadsGiveEveryRequestItsImagesInIndexOrderAsOneThreadDoes() {
    GenerationEngine one = engine(new EngineOptions(GenerationRequest.MAX_COUNT, 64,
        Duration.ofMillis(100), 4096, 1, 1));
    GenerationEngine three = engine(new EngineOptions(GenerationRequest.MAX_COUNT, 64,
        Duration.ofMillis(100), 4096, 1, 3));

    // Batches of requests of 1..7 images: their images are cut across the three threads.
    List<Generation> spread = Flux.range(0, 24)
        .flatMap(i -> three.generate(request("r" + i, 1 + i % 7, 300 + i)), 24)
        .collectList().block(TIMEOUT);

    assertThat(spread).hasSize(24);
    for (Generation generation : spread) {
      GenerationRequest request = generation.request();
      assertThat(generation.images()).hasSize(request.count());
      Generation alone = one.generate(request).block(TIMEOUT);
      for (int i = 0; i < request.count(); i++) {
        GeneratedImage image = generation.images().get(i);
        assertThat(image.index()).isEqualTo(i);
        assertThat(image.requestId()).isEqualTo(request.requestId());
        assertThat(image.count()).isEqualTo(request.count());
        assertThat(image.png()).isEqualTo(alone.images().get(i).png());
      }
    }
  }

  private GenerationEngine engine(EngineOptions options) {
    GenerationEngine engine = new GenerationEngine(registry, options, new SimpleMeterRegistry());
    engines.add(engine);
    return engine;
  }

  private static GenerationRequest request(String id, int count, long seed) {
    return new GenerationRequest(id, TinyGenerator.NAME, "latest", count, seed, null);
  }

  private static GenerationRequest parse(String json) {
    return GenerationRequest.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** One loaded version, recording each inference's batch size; can hold inferences back. */
  private static final class OneModelRegistry implements ModelRegistry {
    private final GenerativeModel model;
    private final List<Integer> batchSizes;
    private final java.util.concurrent.atomic.AtomicInteger started =
        new java.util.concurrent.atomic.AtomicInteger();
    private volatile CountDownLatch gate = new CountDownLatch(0);
    /** What leases' {@code encoder()} gives; null: the default (none). */
    volatile java.util.function.Supplier<ImageEncoder> encoder;

    OneModelRegistry(GenerativeModel model, List<Integer> batchSizes) {
      this.model = model;
      this.batchSizes = batchSizes;
    }

    void blockInferenceUntil(CountDownLatch gate) {
      this.gate = gate;
    }

    int inferencesStarted() {
      return started.get();
    }

    @Override
    public ModelRegistry start() {
      return this;
    }

    @Override
    public Mono<Void> ready() {
      return Mono.empty();
    }

    @Override
    public ModelLease acquire(String name, String version) {
      if (!name.equals(TinyGenerator.NAME)) {
        throw new UnknownModelException("unknown model '" + name + "', known models: [digits]");
      }
      GenerativeModel recording = new GenerativeModel() {
        @Override
        public ModelManifest manifest() {
          return model.manifest();
        }

        @Override
        public float[] generate(float[] latents, long[] labels, int n) {
          started.incrementAndGet();
          try {
            gate.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          batchSizes.add(n);
          return model.generate(latents, labels, n);
        }

        @Override
        public void close() {}
      };
      return new ModelLease() {
        @Override
        public GenerativeModel model() {
          return recording;
        }

        @Override
        public ImageEncoder encoder() {
          return encoder == null ? ModelLease.super.encoder() : encoder.get();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public Map<String, List<Long>> versions() {
      return Map.of(TinyGenerator.NAME, List.of(1L));
    }

    @Override
    public void close() {
      model.close();
    }
  }
}
