package io.genstream.app.demo;

import io.genstream.core.messages.ModelStatus;
import io.genstream.generator.ModelRegistry;
import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.generator.http.GeneratorHttpServer;
import io.genstream.trainer.family.ModelSpec;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * {@code genstream demo}: an in-process broker, the whole {@link Pipeline}, a client that asks
 * for every label (digit, or class of a {@code --data} folder) now and then, a progress line,
 * and a summary at the end.
 *
 * <p>Stops after {@code duration} or on Ctrl-C, in the order that loses nothing: stop the data
 * stream and training, let the last requests be served and written, then close the services and
 * the broker.
 */
public final class Demo {

  private static final Logger log = LoggerFactory.getLogger(Demo.class);
  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(60);
  private static final int PARTITIONS = 2;

  private final DemoConfig config;
  private final PrintStream console;
  private final List<String> requestIds = new ArrayList<>();
  private final AtomicInteger requestRounds = new AtomicInteger();

  public Demo(DemoConfig config, PrintStream console) {
    this.config = config;
    this.console = console;
  }

  /** Runs the demo to its end; returns the process exit code. */
  public int run() throws InterruptedException {
    Topics topics = Topics.defaults();
    long started = System.nanoTime();
    console.printf("GenStream demo: %s of training and serving, output in %s%n",
        human(config.duration()), config.out().toAbsolutePath());
    // Ctrl-C: ask run() to stop, and hold the JVM until it has shut everything down in order.
    try (DemoLifetime lifetime = DemoLifetime.open();
        EmbeddedKafka broker = EmbeddedKafka.start(
            new EmbeddedKafka.Config(config.kafkaPort(), config.kafkaDir()).withoutShutdownHook())) {
      String bootstrap = broker.bootstrapServers();
      TopicSetup.ensure(bootstrap, topics, PARTITIONS);
      printAddresses(broker, topics);
      Scheduler clock = Schedulers.newSingle("genstream-demo", true);
      try (Pipeline pipeline = Pipeline.start(pipelineConfig(bootstrap, topics));
          KafkaSender<String, byte[]> client = KafkaSender.create(SenderOptions.defaults(bootstrap))) {
        pipeline.http().ifPresent(this::printHttpAddresses);
        Disposable requests = Flux.interval(Duration.ofSeconds(5), config.requestEvery(), clock)
            .concatMap(tick -> requestEveryLabel(pipeline, client, topics))
            .subscribe();
        Disposable progress = Flux.interval(PROGRESS_EVERY, PROGRESS_EVERY, clock)
            .subscribe(tick -> console.println(progressLine(pipeline.status(), started)));
        boolean interrupted = lifetime.interruptedWithin(config.duration());
        requests.dispose();
        progress.dispose();

        if (interrupted) {
          // The JVM is shutting down: ONNX Runtime's and ImageIO's own hooks are tearing their
          // natives down beside us, so no final version and no last round, just an orderly close.
          console.println("Interrupted: closing the services, then the broker.");
        } else {
          console.println("Stopping: publishing the final version, serving the last requests...");
          pipeline.stopTraining(Duration.ofSeconds(30));
          requestEveryLabel(pipeline, client, topics).block(Duration.ofSeconds(30));
          if (!pipeline.awaitWritten(expectedImages(), DRAIN_TIMEOUT)) {
            log.warn("Not every requested image was written within {}", DRAIN_TIMEOUT);
          }
        }
        printSummary(pipeline.status(), pipeline.versions(), started);
      } finally {
        clock.dispose();
      }
    }
    return 0;
  }

  private PipelineConfig pipelineConfig(String bootstrap, Topics topics) {
    return new PipelineConfig(bootstrap, topics, config.model(), config.out(),
        config.imagesPerSecond(), config.seed(), config.spec(), config.keepVersions(),
        config.httpPort(), config.data(), config.judging());
  }

  /**
   * Sends one request per label of the model (its {@code numClasses}: the digits 0-9, or the
   * classes of a {@code --data} folder) to the version the trainer judged {@code best}, or to
   * the newest while none is (the evaluator still learning), once a version exists; for an
   * unconditional model, ten requests without a label.
   */
  private Mono<Void> requestEveryLabel(
      Pipeline pipeline, KafkaSender<String, byte[]> client, Topics topics) {
    if (pipeline.status().latestServedVersion() == 0) {
      return Mono.empty(); // nothing published yet: a request now would only be dead-lettered
    }
    int round = requestRounds.incrementAndGet();
    String version = pipeline.status().promotion().hasBest() ? GenerationRequest.BEST
        : GenerationRequest.LATEST;
    boolean conditional = config.spec().conditional();
    int requests = conditional ? config.spec().numClasses() : 10;
    return Flux.range(0, requests)
        .concatMap(label -> {
          String requestId = "demo-" + round + (conditional ? "-label" : "-set") + label;
          GenerationRequest request = new GenerationRequest(requestId, config.model(), version,
              config.count(), config.seed() * 1_000_003L + round * 1_000L + label,
              conditional ? label : null);
          return client.send(new ProducerRecord<>(topics.requests(), requestId, request.toJson()))
              .doOnSuccess(sent -> recordSent(requestId))
              .doOnError(e -> log.warn("Request {} not sent: {}", requestId, e.toString()))
              .onErrorComplete();
        })
        .then(Mono.fromRunnable(() -> {
          if (conditional) {
            log.info("Requested {} images of each label 0-{} from version {} (round {})",
                config.count(), requests - 1, version, round);
          } else {
            log.info("Requested 10 sets of {} images from version {} (round {})", config.count(),
                version, round);
          }
        }));
  }

  private synchronized void recordSent(String requestId) {
    requestIds.add(requestId);
  }

  private synchronized long expectedImages() {
    return (long) requestIds.size() * config.count();
  }

  private void printAddresses(EmbeddedKafka broker, Topics topics) {
    console.println("  Kafka broker     : " + broker.bootstrapServers()
        + "   (bootstrap.servers for kcat, console clients, your services)");
    console.println("  topics           : " + String.join(", ", topics.all()));
    String label = exampleLabel();
    console.println("  request example  : echo '{\"model\":\"" + config.model()
        + "\",\"count\":8" + (label.isEmpty() ? "" : ",\"label\":" + label)
        + "}' | kafka-console-producer.sh --bootstrap-server "
        + broker.bootstrapServers() + " --topic " + topics.requests());
    console.println("  or with our CLI  : ./genstream request -b " + broker.bootstrapServers()
        + (label.isEmpty() ? "" : " --label " + label) + " --count 8");
    console.println("  output           : " + config.out().toAbsolutePath());
    printData();
  }

  private void printData() {
    DemoData data = config.data();
    if (data == null) {
      console.println("  data             : synthetic digits 0-9, " + config.spec().imageSize() + "x"
          + config.spec().imageSize() + " grey");
      return;
    }
    ModelSpec spec = config.spec();
    console.println("  data             : " + data.dir().toAbsolutePath() + ", ingested again and "
        + "again (epochs, " + (data.source().order().shuffled() ? "each shuffled, seed "
        + data.source().order().seed() : "in sorted order") + ") at " + config.imagesPerSecond()
        + " images/s, as " + spec.imageSize()
        + "x" + spec.imageSize() + (spec.channels() == 3 ? " RGB" : " grey"));
    if (data.labelled()) {
      console.println("  layout           : imagefolder (" + data.layout().reason() + ")");
      StringBuilder names = new StringBuilder();
      for (int i = 0; i < data.labelNames().size(); i++) {
        names.append(i == 0 ? "" : ", ").append(i).append('=').append(data.labelNames().get(i));
      }
      console.println("  classes          : " + data.labelNames().size() + " (" + names + ")"
          + (spec.conditional() ? ", " + spec.family().id() + " with numClasses="
              + spec.numClasses() : ", labels ignored by " + spec.family().id()));
    } else {
      console.println("  classes          : none (a flat folder: " + data.layout().reason()
          + "), unconditional " + spec.family().id());
    }
  }

  private void printHttpAddresses(GeneratorHttpServer http) {
    String url = http.url();
    console.println("  HTTP API         : " + url + "   (POST /v1/generate, GET /v1/models, "
        + "Open Inference Protocol on /v2, OpenAPI: " + url + "/openapi.yaml)");
    console.println("  metrics          : " + url + "/metrics   (Prometheus)");
    String label = exampleLabel();
    console.println("  HTTP example     : curl -s -o " + (label.isEmpty() ? "image" : "label" + label)
        + ".png -H 'Content-Type: application/json' -d '{\"model\":\"" + config.model() + "\""
        + (label.isEmpty() ? "" : ",\"label\":" + label) + "}' " + url + "/v1/generate");
  }

  /** A label the model has for the printed examples (7 for the digits), or "" if unconditional. */
  private String exampleLabel() {
    ModelSpec spec = config.spec();
    return spec.conditional() ? String.valueOf(Math.min(7, spec.numClasses() - 1)) : "";
  }

  private String progressLine(PipelineStatus s, long started) {
    double elapsed = (System.nanoTime() - started) / 1e9;
    double total = config.duration().toSeconds();
    int filled = (int) Math.min(20, Math.round(20 * elapsed / Math.max(total, 1)));
    return String.format("[%s%s] %s/%s  step %d  %,d images trained (%.0f/s)  %s"
            + "  versions %d  %s  served %d req / %d img  written %d",
        "#".repeat(filled), "-".repeat(20 - filled), human(Duration.ofSeconds((long) elapsed)),
        human(config.duration()), s.steps(), s.imagesTrained(), s.imagesPerSecond(),
        s.metrics(), s.versionsPublished(), VersionTable.bestText(s.promotion()), s.requestsServed(), s.imagesGenerated(), s.imagesWritten());
  }

  private void printSummary(PipelineStatus s, List<ModelRegistry.VersionInfo> versions,
      long started) {
    Path out = config.out().toAbsolutePath();
    console.println();
    console.println("GenStream demo summary (" + human(Duration.ofNanos(System.nanoTime() - started)) + ")");
    console.printf("  images ingested    : %,d%n", s.imagesIngested());
    console.printf("  model              : %s, spec %s…%n", config.spec().family().id(),
        config.spec().sha256().substring(0, 12));
    console.printf("  images trained on  : %,d (%d steps, %.0f images/s inside steps, "
            + "duty cycle %.0f%% since the first step)%n",
        s.imagesTrained(), s.steps(), s.imagesPerSecond(), 100 * s.dutyCycle());
    console.printf("  versions published : %d by this run (sample grid per version in %s)%n",
        s.versionsPublished(), config.out().toAbsolutePath().resolve("samples"));
    console.printf("  requests served    : %d (%d images, newest version v%d), dead-lettered: %d%n",
        s.requestsServed(), s.imagesGenerated(), s.latestServedVersion(), s.deadLettered());
    console.printf("  images written     : %d under %s%n", s.imagesWritten(), out);
    console.printf("  manifest           : %s%n", out.resolve("manifest.jsonl"));
    console.printf("  last sample grid   : %s%n",
        s.lastSampleGrid() == null ? "(none yet)" : s.lastSampleGrid().toAbsolutePath());
    ModelStatus promotion = s.promotion();
    if (promotion.hasBest()) {
      console.printf("  best version       : v%d by %s, sample grid %s%n", promotion.best(),
          promotion.metric(), config.out().toAbsolutePath().resolve("samples")
              .resolve(config.model() + "-v" + promotion.best() + ".png"));
    }
    GateVerdict.lines(promotion, versions, config.judging().evaluation() != null)
        .forEach(console::println);
    VersionTable.print(console, versions, promotion);
  }

  private static String human(Duration d) {
    return DemoLifetime.human(d);
  }
}
