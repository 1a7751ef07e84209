package io.genstream.app.demo;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.generator.GeneratorOptions;
import io.genstream.generator.GeneratorService;
import io.genstream.generator.GeneratorStats;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.ModelRegistry;
import io.genstream.generator.http.GeneratorHttpServer;
import io.genstream.generator.http.HttpOptions;
import io.genstream.ingest.ImageSource;
import io.genstream.ingest.IngestService;
import io.genstream.ingest.synthetic.SyntheticDigits;
import io.genstream.sinks.SinkService;
import io.genstream.sinks.file.FileSink;
import io.genstream.trainer.TrainerOptions;
import io.genstream.trainer.TrainerService;
import io.genstream.trainer.TrainerSummary;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The services of one GenStream deployment wired together in one JVM — ingest (synthetic digits,
 * or the user's folder epoch after epoch),
 * trainer, generator (with its HTTP API on 127.0.0.1 when {@link PipelineConfig#http()}) and
 * file sink — against a broker whose topics already exist. The demo and the end-to-end tests run
 * exactly this wiring.
 *
 * <p>Owns every service and closes them in {@link #close()}: data first (ingest, trainer), then
 * serving (HTTP, then the generator), then the sink, so nothing in flight is cut off.
 */
public final class Pipeline implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
  private static final String SINK_GROUP = "genstream-sink-files";
  private static final Duration HTTP_START_TIMEOUT = Duration.ofSeconds(30);

  private final PipelineConfig config;
  private final KafkaSender<String, byte[]> ingestSender;
  private final IngestService ingest;
  private final Disposable ingesting;
  private final TrainerService trainer;
  private final PrometheusMeterRegistry meters;
  private final GeneratorService generator;
  private final KafkaSender<String, byte[]> httpSender;
  private final GeneratorHttpServer http;
  private final FileSink files;
  private final SinkService sink;
  private volatile boolean trainingStopped;

  private Pipeline(PipelineConfig config) {
    this.config = config;
    String bootstrap = config.bootstrapServers();
    // Sinks first and data last, so nothing produced is missed; if a later service fails to
    // start, the ones already running are closed before the error propagates.
    StartedServices started = new StartedServices();
    try {
      files = started.add(new FileSink(config.out()));
      sink = started.add(new SinkService(files,
          new SinkService.Options(bootstrap, config.topics(), SINK_GROUP)).start());
      meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      started.add(meters::close);
      GeneratorOptions generatorOptions = GeneratorOptions.builder(bootstrap)
          .topics(config.topics()).build();
      generator = started.add(GeneratorService.create(generatorOptions,
          ModelLoader.onnxRuntime(generatorOptions.ortIntraOpThreads()), meters).start());
      if (config.http()) {
        httpSender = started.add(KafkaSender.create(SenderOptions.defaults(bootstrap)));
        http = started.add(new GeneratorHttpServer(generator.engine(),
            generator.registry(), meters, HttpOptions.builder()
                .host("127.0.0.1")
                .port(config.httpPort())
                .requestLimits(generatorOptions)
                .async(httpSender, config.topics().requests(), generatorOptions.replyTopicRule())
                .build()));
        http.start().block(HTTP_START_TIMEOUT);
      } else {
        httpSender = null;
        http = null;
      }
      trainer = started.add(new TrainerService(trainerOptions(config)).start());
      ingestSender = started.add(KafkaSender.create(SenderOptions.defaults(bootstrap)));
      // The user's folder epoch after epoch without end (0), each in its own order.
      ImageSource source = config.data() != null ? config.data().source()
          : new SyntheticDigits(config.spec().imageSize(), config.seed());
      ingest = started.add(new IngestService(source, ingestSender, new IngestService.Options(
          config.topics(), config.imagesPerSecond(), 0, null, config.data() != null ? 0 : 1)));
      ingesting = ingest.run().subscribe(null, e -> log.error("Ingest stopped", e));
    } catch (RuntimeException e) {
      throw started.closeAll(e);
    }
  }

  /** Starts every service; returns once they are subscribed (training begins as data arrives). */
  public static Pipeline start(PipelineConfig config) {
    return new Pipeline(config);
  }

  private static TrainerOptions trainerOptions(PipelineConfig config) {
    return TrainerOptions.builder(config.bootstrapServers(), config.model())
        .topics(config.topics())
        .spec(config.spec())
        .samplesDir(config.samples())
        .keepVersions(config.keepVersions())
        .judging(config.judging())
        .build();
  }

  /**
   * Stops the data stream and training; the trainer publishes what it trained since its last
   * version, and this waits (up to {@code timeout}) until the generator serves that version.
   * Serving goes on.
   */
  public synchronized void stopTraining(Duration timeout) throws InterruptedException {
    if (trainingStopped) {
      return;
    }
    trainingStopped = true;
    ingesting.dispose();
    trainer.finish();
    long finalVersion = trainer.summary().lastVersion();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (finalVersion > 0 && latestServedVersion() < finalVersion && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /** Waits until the file sink has written at least {@code images}; false on time-out. */
  public boolean awaitWritten(long images, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (sink.written() < images) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  /** The generator's HTTP API, when the config asked for one. */
  public Optional<GeneratorHttpServer> http() {
    return Optional.ofNullable(http);
  }

  /** A snapshot of every service's counters. */
  public PipelineStatus status() {
    TrainerSummary t = trainer.summary();
    GeneratorStats g = generator.stats();
    return new PipelineStatus(
        ingest.published(), t.steps(), t.imagesTrained(), t.imagesPerSecond(),
        t.dutyCycle(), io.genstream.trainer.TrainingProgress.metricsText(t.lastMetrics()), t.versionsPublished(),
        t.lastSampleGrid(), latestServedVersion(),
        g.requestsServed(), g.imagesGenerated(),
        g.deadLettered() + t.deadLettered() + sink.deadLettered(), sink.written(), t.status());
  }

  /** The versions of the model the generator knows, ascending, with their manifests. */
  public List<ModelRegistry.VersionInfo> versions() {
    return generator.registry().describe(config.model());
  }

  private long latestServedVersion() {
    List<Long> served = generator.registry().versions().getOrDefault(config.model(), List.of());
    return served.isEmpty() ? 0 : served.get(served.size() - 1);
  }

  /**
   * Closes everything: the data stream, then the HTTP API and the generator (first, so that no
   * inference starts while a JVM shutdown tears ONNX Runtime down), the trainer, and last the
   * sink, which writes what the generator already produced.
   */
  @Override
  public void close() {
    boolean trainerRunning;
    synchronized (this) {
      trainerRunning = !trainingStopped;
      trainingStopped = true;
    }
    ingesting.dispose();
    ingest.close();
    ingestSender.close();
    if (http != null) {
      http.close();
      httpSender.close();
    }
    generator.close();
    if (trainerRunning) {
      trainer.close();
    }
    sink.close();
    files.close();
    meters.close();
  }
}
