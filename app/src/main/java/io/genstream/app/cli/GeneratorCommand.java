package io.genstream.app.cli;

import io.genstream.generator.EngineOptions;
import io.genstream.generator.GeneratorOptions;
import io.genstream.generator.GeneratorService;
import io.genstream.generator.ModelLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genstream generator}: serves the requests topic with ONNX Runtime. */
@Command(name = "generator", header = "Serve generation requests with ONNX Runtime.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Follows the models topic and serves generation requests with ONNX Runtime.",
      "Start several with the same --group to share the requests.", ""})
public final class GeneratorCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

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

  @Override
  public Integer call() throws Exception {
    return UntilStopped.run("generator", () -> {
      GeneratorOptions options = GeneratorOptions.builder(kafka.bootstrapServers())
          .topics(kafka.ensureTopics())
          .groupId(group)
          .ortIntraOpThreads(ortThreads)
          .engine(EngineOptions.defaults()
              .withInferenceThreads(inferenceThreads)
              .withBatching(maxBatchSize, maxBatchWait))
          .build();
      return GeneratorService.create(options,
          ModelLoader.onnxRuntime(ortThreads, executionProvider)).start();
    });
  }
}
