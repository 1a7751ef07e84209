package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import io.genstream.generator.ModelLoader;
import io.genstream.generator.video.FramePredictionService;
import io.genstream.generator.video.PredictionListener;
import io.genstream.generator.video.PredictorOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code genstream predictor}: predicts the next frames of every video stream on the frames
 * topic with a {@code framepred} model, and judges itself online against copy-last-frame.
 */
@Command(name = "predictor", header = "Predict the next frames of video streams.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Reads video frames (genstream.frames, keyed by stream id, ce_frame = index)",
      "and, for every stream with k frames of context, publishes the predicted",
      "next frame(s) on genstream.predictions with the latest version of a",
      "framepred model (new versions take over as they are published).",
      "Each frame that arrives is scored against the prediction made for it and",
      "against repeating the frame before it (copy-last); the running scores go",
      "to the log every 30 s and to genstream.training (ce_kind=videoeval).",
      "Windows live in memory: after a restart a stream predicts again from its",
      "k-th new frame.", ""})
public final class PredictorCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Mixin ManagementOptions management;

  @Option(names = "--model", required = true, paramLabel = "NAME",
      description = "The framepred model whose latest version predicts.")
  String model;

  @Option(names = "--horizon", defaultValue = "1", paramLabel = "H",
      description = "Frames predicted per arriving frame, rolled out autoregressively, 1.."
          + PredictorOptions.MAX_HORIZON + " (default: ${DEFAULT-VALUE}).")
  int horizon;

  @Option(names = "--max-streams", defaultValue = "" + PredictorOptions.DEFAULT_MAX_STREAMS,
      paramLabel = "N",
      description = "Streams whose frames are kept; the least recently seen is dropped beyond "
          + "it and warms up again (default: ${DEFAULT-VALUE}).")
  int maxStreams;

  @Option(names = "--stream-idle-timeout", defaultValue = "5m", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "A stream without a frame for this long is dropped, e.g. 90s, 5m "
          + "(default: ${DEFAULT-VALUE}).")
  Duration streamIdleTimeout;

  @Option(names = "--group", paramLabel = "GROUP",
      description = "Consumer group of the frames topic; predictors in one group share the "
          + "streams by partition (default: genstream-predictor-<model>).")
  String group;

  @Option(names = "--max-batch-streams", defaultValue = "64", paramLabel = "N",
      description = "Most streams predicted in one ONNX Runtime call (default: ${DEFAULT-VALUE}).")
  int maxBatchStreams;

  @Option(names = "--max-batch-wait", defaultValue = "5ms", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long a frame waits for frames of other streams to share its call "
          + "(default: ${DEFAULT-VALUE}).")
  Duration maxBatchWait;

  @Option(names = "--evaluation-interval", defaultValue = "10s", paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How often the running scores are published on the training topic "
          + "(default: ${DEFAULT-VALUE}).")
  Duration evaluationInterval;

  @Option(names = "--channels", defaultValue = "1", paramLabel = "1|3",
      description = "How frames are decoded until a version of the model is known (1 gray, "
          + "3 RGB); then its channels are used (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--ort-threads", defaultValue = "1",
      description = "ONNX Runtime intra-op threads per inference (default: ${DEFAULT-VALUE}).")
  int ortThreads;

  @Option(names = "--execution-provider", defaultValue = "cpu", paramLabel = "cpu|cuda",
      description = "Where ONNX Runtime runs (default: ${DEFAULT-VALUE}); cuda falls back to "
          + "the CPU with one warning.")
  ModelLoader.ExecutionProvider executionProvider;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    options(kafka.topics()); // refuse bad values before touching Kafka
    return UntilStopped.runService("predictor", () -> {
      PredictorOptions options = options(kafka.ensureTopics());
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters =
          management.meters("predictor");
      FramePredictionService service = FramePredictionService.create(options,
          ModelLoader.onnxRuntime(ortThreads, executionProvider), new PredictionListener() {},
          meters).start();
      ServiceMeters.predictor(service, meters);
      AutoCloseable port;
      try {
        port = management.open("predictor", meters,
            ServiceMeters.readyWhen(service.ready(), "catching up with the models topic"),
            kafka.connection(), options.groupId());
      } catch (RuntimeException e) {
        service.close();
        throw e;
      }
      return new UntilStopped.Running(() -> {
        service.close();
        port.close();
      }, service.completion());
    });
  }

  private PredictorOptions options(Topics topics) {
    try {
      return PredictorOptions.builder(kafka.connection(), model)
          .topics(topics)
          .groupId(group)
          .horizon(horizon)
          .maxStreams(maxStreams)
          .streamIdleTimeout(streamIdleTimeout)
          .batching(maxBatchStreams, maxBatchWait)
          .evaluationInterval(evaluationInterval)
          .channels(channels)
          .ortIntraOpThreads(ortThreads)
          .build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
