package io.genstream.app.cli;

import io.genstream.trainer.TrainerOptions;
import io.genstream.trainer.TrainerService;
import io.genstream.trainer.gan.GanConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genstream trainer}: trains one model from the images topic and publishes versions. */
@Command(name = "trainer", header = "Train a model from the images topic, publish versions.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Trains a class-conditional GAN from the images topic and publishes a model",
      "version (ONNX + manifest) to the models topic every --export-every steps.",
      "On stop it publishes what it trained since its last version.", ""})
public final class TrainerCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Option(names = "--model", defaultValue = "digits", description = "Model name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--export-every", defaultValue = "200",
      description = "Publish a version every N steps (default: ${DEFAULT-VALUE}).")
  int exportEvery;

  @Option(names = "--batch-size", defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--samples", defaultValue = "genstream-samples",
      description = "Folder for the sample grid of each version (default: ${DEFAULT-VALUE}).")
  Path samples;

  @Option(names = "--seed", defaultValue = "1", description = "Initialisation seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    return UntilStopped.run("trainer '" + model + "'", () -> {
      GanConfig gan = GanConfig.digits()
          .withBatchSize(batchSize)
          .withExportEveryNSteps(exportEvery)
          .withSeed(seed);
      TrainerOptions options = TrainerOptions.defaults(kafka.bootstrapServers(), model, samples)
          .withTopics(kafka.ensureTopics())
          .withGan(gan);
      TrainerService trainer = new TrainerService(options).start();
      return () -> {
        trainer.finish();
        System.out.println("trainer stopped: " + trainer.summary());
      };
    });
  }
}
