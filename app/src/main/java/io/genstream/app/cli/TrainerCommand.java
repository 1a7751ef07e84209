package io.genstream.app.cli;

import io.genstream.trainer.TrainerOptions;
import io.genstream.trainer.TrainerService;
import io.genstream.trainer.family.ModelSpec;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code genstream trainer}: trains one model from the images topic (or, for {@code --family
 * framepred}, the frames topic) and publishes versions.
 */
@Command(name = "trainer", header = "Train a model from the images (or frames) topic, publish versions.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Trains a model (cgan, dcgan or vae; see the settings below) from the images",
      "topic, or a next-frame predictor (framepred) from clips of the video streams",
      "on the frames topic, whose versions carry held-out MSE, PSNR and SSIM beside",
      "copy-last-frame's. It publishes a version (ONNX + manifest) to the models topic every",
      "exportEvery steps, keeping the newest --keep-versions. It judges every image",
      "version on held-out images it never trains on (FD, precision and recall, diversity and",
      "class consistency in the feature space of an evaluator it trains beside the model,",
      "next to a per-class Gaussian baseline), promotes 'best' or rejects a collapsed or",
      "diverged version, and publishes that as <model>/status. On stop it publishes",
      "what it trained since its last version; started again, it resumes exactly",
      "from the latest checkpoint.", ""})
public final class TrainerCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Mixin ManagementOptions management;

  @Option(names = "--model", defaultValue = "digits", description = "Model name (default: ${DEFAULT-VALUE}).")
  String modelName;

  @Mixin ModelSpecOptions model;

  @Mixin JudgingOptions judging;

  @Option(names = "--keep-versions", defaultValue = "20",
      description = "Versions kept on the models topic; older ones are deleted (default: ${DEFAULT-VALUE}).")
  int keepVersions;

  @Option(names = "--intra-op-threads", defaultValue = "0",
      description = "PyTorch threads of the training thread; 0 = one per core (default: ${DEFAULT-VALUE}).")
  int intraOpThreads;

  @Option(names = "--samples", defaultValue = "genstream-samples",
      description = "Folder for the sample grid of each version (default: ${DEFAULT-VALUE}).")
  Path samples;

  @Option(names = "--seed", paramLabel = "N",
      description = "Initialisation seed (same as --set seed=N).")
  Long seed;

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ModelSpec modelSpec;
    io.genstream.trainer.Judging judgingSettings;
    try {
      modelSpec = model.resolve(seed);
      judgingSettings = judging.judging();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return UntilStopped.runService("trainer '" + modelName + "'", () -> {
      TrainerOptions options = TrainerOptions.builder(kafka.connection(), modelName)
          .topics(kafka.ensureTopics())
          .spec(modelSpec)
          .samplesDir(samples)
          .keepVersions(keepVersions)
          .intraOpThreads(intraOpThreads)
          .judging(judgingSettings)
          .build();
      TrainerService trainer = new TrainerService(options).start();
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters =
          management.meters("trainer");
      ServiceMeters.trainer(trainer, meters);
      AutoCloseable port;
      try {
        port = management.open("trainer", meters, () -> null, kafka.connection(),
            options.groupId());
      } catch (RuntimeException e) {
        trainer.close();
        throw e;
      }
      // Errors if training stopped for good (a permanent failure): the command then exits 1.
      return new UntilStopped.Running(() -> {
        trainer.finish();
        port.close();
        System.out.println("trainer stopped: " + trainer.summary());
      }, trainer.completion());
    });
  }
}
