package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.generator.EngineOptions;
import io.genstream.generator.GeneratorOptions;
import io.genstream.generator.GeneratorService;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.http.GeneratorHttpServer;
import io.genstream.generator.http.HttpOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code genstream generator}: serves the requests topic with ONNX Runtime, and the same engine
 * over HTTP ({@code /v1}, the Open Inference Protocol's {@code /v2}, {@code /metrics}) unless
 * {@code --http-port -1}.
 */
@Command(name = "generator", header = "Serve generation requests with ONNX Runtime.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Follows the models topic and serves generation requests with ONNX Runtime.",
      "Start several with the same --group to share the requests.",
      "The same engine answers HTTP on --http-port: POST /v1/generate, the Open Inference",
      "Protocol (/v2, as Triton and KServe clients speak it), Prometheus metrics on /metrics",
      "and the API's description on /openapi.yaml.", ""})
public final class GeneratorCommand implements Callable<Integer> {

  static final String API_KEYS_ENV = "GENSTREAM_API_KEYS";
  private static final Duration HTTP_START_TIMEOUT = Duration.ofSeconds(30);

  @Mixin KafkaOptions kafka;

  @Mixin ManagementOptions management;

  @Option(names = "--group", defaultValue = GeneratorOptions.DEFAULT_GROUP_ID,
      description = "Consumer group of the requests topic (default: ${DEFAULT-VALUE}).")
  String group;

  @Option(names = "--ort-threads", defaultValue = "1",
      description = "ONNX Runtime intra-op threads per inference (default: ${DEFAULT-VALUE}).")
  int ortThreads;

  @Option(names = "--inference-threads", defaultValue = "1",
      description = "Batches inferred at the same time (default: ${DEFAULT-VALUE}).")
  int inferenceThreads;

  @Option(names = "--max-batch-size", defaultValue = "64",
      description = "Most images in one ONNX Runtime call; queued requests are batched up to "
          + "it (default: ${DEFAULT-VALUE}).")
  int maxBatchSize;

  @Option(names = "--max-batch-wait", defaultValue = "PT0.002S", paramLabel = "DURATION",
      description = "How long a request waits for others to fill its batch, ISO-8601 "
          + "(default: ${DEFAULT-VALUE}, 2 ms).")
  java.time.Duration maxBatchWait;

  @Option(names = "--execution-provider", defaultValue = "cpu", paramLabel = "cpu|cuda",
      description = "Where ONNX Runtime runs (default: ${DEFAULT-VALUE}). cuda needs the gpu "
          + "build (mvn -Pgpu); without a usable GPU it warns once and runs on the CPU.")
  ModelLoader.ExecutionProvider executionProvider;

  @Option(names = "--reply-topics", split = ",", paramLabel = "TOPIC[,PREFIX*...]",
      description = {"Topics a request may name as replyTopic besides the results topic: "
          + "names, or prefixes ending in '*' (team-a.*). The pipeline's own topics are never "
          + "allowed. Default: none, every result goes to the results topic."})
  List<String> replyTopics;

  @Option(names = "--max-waiting", paramLabel = "N",
      defaultValue = "" + GeneratorOptions.DEFAULT_MAX_WAITING_REQUESTS,
      description = "Requests that may wait at once for a version that cannot serve yet (best "
          + "before a promotion, a load being retried), outside the in-flight slots; one more is "
          + "dead-lettered at once (default: ${DEFAULT-VALUE}).")
  int maxWaiting;

  @Option(names = "--max-wait", paramLabel = "DURATION", defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long such a request waits before it is dead-lettered with the reason "
          + "(default: ${DEFAULT-VALUE}).")
  Duration maxWait;

  @Option(names = "--http-port", defaultValue = "8081",
      description = "Port of the HTTP API; 0 picks a free one, -1 turns HTTP off "
          + "(default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--http-host", defaultValue = "0.0.0.0",
      description = "Interface the HTTP API listens on; 127.0.0.1 for this machine only "
          + "(default: ${DEFAULT-VALUE}).")
  String httpHost;

  @Option(names = "--api-key", paramLabel = "KEY",
      description = {"Require this key on the HTTP API (repeatable), as 'X-API-Key: KEY' or "
          + "'Authorization: Bearer KEY'; /v2/health/* and /openapi.yaml stay open.",
          "Keys on a command line are visible to other users of the machine: prefer the "
          + "environment variable " + API_KEYS_ENV + " (comma-separated). Default: none, "
          + "the API is open."})
  List<String> apiKeys;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (httpPort < -1 || httpPort > 65535) {
      throw new ParameterException(spec.commandLine(),
          "--http-port must be -1 (off), 0 (a free port) or 1..65535, got " + httpPort);
    }
    List<String> keys = apiKeys == null || apiKeys.isEmpty() ? keysFromEnvironment() : apiKeys;
    try {
      httpOptions(Math.max(httpPort, 0), keys).build(); // refuse bad values before starting
      generatorOptions(kafka.topics());
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return UntilStopped.runService("generator", () -> start(keys));
  }

  /**
   * The service, and the HTTP server over its engine; the returned closeable closes them in
   * reverse order of start: server, its sender, service, meters.
   */
  private UntilStopped.Running start(List<String> keys) {
    Deque<AutoCloseable> open = new ArrayDeque<>();
    try {
      Topics topics = kafka.ensureTopics();
      GeneratorOptions options = generatorOptions(topics);
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      open.push(meters::close);
      GeneratorService service = GeneratorService.create(options,
          ModelLoader.onnxRuntime(ortThreads, executionProvider), meters).start();
      open.push(service);
      ServiceMeters.generator(service, meters);
      open.push(management.open("generator", meters,
          ServiceMeters.readyWhen(service.ready(), "catching up with the models topic"),
          kafka.connection(), options.groupId()));
      if (httpPort >= 0) {
        KafkaSender<String, byte[]> sender =
            KafkaSender.create(SenderOptions.defaults(kafka.connection()));
        open.push(sender);
        GeneratorHttpServer http = new GeneratorHttpServer(service.engine(), service.registry(),
            meters, httpOptions(httpPort, keys)
                .requestLimits(options)
                .async(sender, topics.requests(), options.replyTopicRule())
                .build());
        open.push(http);
        http.start().block(HTTP_START_TIMEOUT);
        System.out.println(describe(http));
      }
      return new UntilStopped.Running(() -> closeAll(open), service.completion());
    } catch (RuntimeException e) {
      try {
        closeAll(open);
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  private GeneratorOptions generatorOptions(Topics topics) {
    return GeneratorOptions.builder(kafka.connection())
        .topics(topics)
        .groupId(group)
        .ortIntraOpThreads(ortThreads)
        .replyTopics(replyTopics == null ? List.of() : replyTopics)
        .waiting(maxWaiting, maxWait)
        .engine(EngineOptions.defaults()
            .withInferenceThreads(inferenceThreads)
            .withBatching(maxBatchSize, maxBatchWait))
        .build();
  }

  private HttpOptions.Builder httpOptions(int port, List<String> keys) {
    return HttpOptions.builder().host(httpHost).port(port).apiKeys(keys);
  }

  /** {@code generator HTTP API on http://host:port (OpenAPI: …, metrics: …)}. */
  static String describe(GeneratorHttpServer http) {
    String url = http.url();
    String host = http.options().host();
    return "generator HTTP API on " + url + " (OpenAPI: " + url + "/openapi.yaml, metrics: "
        + url + "/metrics"
        + (url.contains("//" + host + ":") ? "" : "; listening on " + host)
        + (http.options().secured() ? "; API key required" : "") + ")";
  }

  private static List<String> keysFromEnvironment() {
    String keys = System.getenv(API_KEYS_ENV);
    return keys == null ? List.of()
        : Arrays.stream(keys.split(",")).map(String::trim).filter(k -> !k.isEmpty()).toList();
  }

  private static void closeAll(Deque<AutoCloseable> open) throws Exception {
    Exception failure = null;
    while (!open.isEmpty()) {
      try {
        open.pop().close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }
}
