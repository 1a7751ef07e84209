package io.genstream.app.cli;

import io.genstream.core.config.Topics;
import io.genstream.trainer.Judging;
import io.genstream.trainer.TrainerOptions;
import io.genstream.trainer.TrainerService;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.fleet.FleetModel;
import io.genstream.trainer.fleet.FleetOptions;
import io.genstream.trainer.fleet.ModelsFile;
import io.genstream.trainer.fleet.TrainerFleet;
import io.micrometer.core.instrument.Gauge;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code genstream trainer}: trains one model from the images topic (or, for {@code --family
 * framepred}, the frames topic) and publishes versions; with {@code --models FILE}, the models
 * of a models file, shared by lease with the other trainer processes given that file
 * ({@link TrainerFleet}).
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
      "from the latest checkpoint.",
      "",
      "With --models FILE it trains several models, each on its own data, e.g.",
      "  models:",
      "    - name: pets",
      "      specFile: pets.yaml        # optional, relative to FILE",
      "      spec: {exportEvery: 100}   # settings over the file or family defaults",
      "      dataset: pets              # only images ingested with --dataset pets",
      "    - name: digits",
      "      topic: lab.images          # optional: another topic than the family's",
      "Trainer processes given the same FILE (and --lease-group) share the models:",
      "each model is trained by exactly one of them, and when one stops or dies (after",
      "about 10 s) its models move to the others, which resume from their checkpoints.",
      "--keep-versions, --samples, --intra-op-threads and the judging settings apply",
      "to every model.", ""})
public final class TrainerCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Mixin ManagementOptions management;

  @Option(names = "--model", defaultValue = "digits", description = "Model name (default: ${DEFAULT-VALUE}).")
  String modelName;

  @Option(names = "--models", paramLabel = "FILE",
      description = "Train the models of FILE (YAML or JSON, see above) instead of one --model.")
  Path modelsFile;

  @Option(names = "--lease-group", paramLabel = "GROUP",
      defaultValue = FleetOptions.DEFAULT_LEASE_GROUP,
      description = "With --models: the consumer group of the trainers sharing the models "
          + "(default: ${DEFAULT-VALUE}).")
  String leaseGroup;

  @Option(names = "--lease-topic", paramLabel = "TOPIC",
      description = "With --models: the topic of the models' leases, one partition per model, "
          + "created if missing (default: <topic prefix>trainer-leases).")
  String leaseTopic;

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

  /** Options that describe the one model, meaningless with --models. */
  private static final List<String> SINGLE_MODEL_OPTIONS = List.of("--model", "--family", "--spec",
      "--set", "--export-every", "--batch-size", "--seed");

  @Override
  public Integer call() throws Exception {
    if (modelsFile != null) {
      return trainFleet();
    }
    if (leaseTopic != null || spec.commandLine().getParseResult().hasMatchedOption("--lease-group")) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--lease-group and --lease-topic are for --models");
    }
    ModelSpec modelSpec;
    Judging judgingSettings;
    try {
      modelSpec = model.resolve(seed);
      judgingSettings = judging.judging();
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return UntilStopped.runService("trainer '" + modelName + "'", () -> {
      TrainerOptions options =
          trainerOptions(modelName, kafka.ensureTopics(), modelSpec, judgingSettings).build();
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

  /** One model's trainer settings from this command's options, shared by both forms. */
  private TrainerOptions.Builder trainerOptions(String name, Topics topics, ModelSpec modelSpec,
      Judging judgingSettings) {
    return TrainerOptions.builder(kafka.connection(), name)
        .topics(topics)
        .spec(modelSpec)
        .samplesDir(samples)
        .keepVersions(keepVersions)
        .intraOpThreads(intraOpThreads)
        .judging(judgingSettings);
  }

  /** {@code --models FILE}: the models of the file whose leases this process is given. */
  private int trainFleet() throws Exception {
    FleetOptions fleetOptions;
    try {
      for (String option : SINGLE_MODEL_OPTIONS) {
        if (spec.commandLine().getParseResult().hasMatchedOption(option)) {
          throw new IllegalArgumentException(
              option + " describes one model; with --models, set it in the models file");
        }
      }
      List<FleetModel> models = ModelsFile.read(modelsFile);
      Judging judgingSettings = judging.judging();
      Topics topics = kafka.topics();
      List<TrainerOptions> perModel = models.stream()
          .map(model -> trainerOptions(model.name(), topics, model.spec(), judgingSettings)
              .data(model.data())
              .build())
          .toList();
      fleetOptions = new FleetOptions(kafka.connection(), perModel,
          leaseTopic != null ? leaseTopic : kafka.topicOptions.topicPrefix + "trainer-leases",
          leaseGroup);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    return UntilStopped.runService("trainer fleet " + fleetOptions.names(), () -> {
      kafka.ensureTopics();
      System.out.println("models " + fleetOptions.names() + ": this process trains those whose "
          + "leases group '" + fleetOptions.leaseGroup() + "' gives it (topic "
          + fleetOptions.leaseTopic() + "); see the log for which");
      TrainerFleet fleet = new TrainerFleet(fleetOptions).start();
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters =
          management.meters("trainer");
      Gauge.builder("genstream.trainer.models", fleet, f -> f.training().size())
          .description("models this process holds the lease of").register(meters);
      AutoCloseable port;
      try {
        // No single consumer group to measure: each model has its own.
        port = management.open("trainer", meters, () -> null, kafka.connection(), null);
      } catch (RuntimeException e) {
        fleet.close();
        throw e;
      }
      return new UntilStopped.Running(() -> {
        fleet.finish();
        port.close();
        fleet.summaries().forEach((name, summary) ->
            System.out.println("trainer " + name + " stopped: " + summary));
      }, fleet.completion());
    });
  }
}
