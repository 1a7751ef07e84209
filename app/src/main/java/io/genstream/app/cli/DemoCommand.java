package io.genstream.app.cli;

import io.genstream.app.demo.Demo;
import io.genstream.app.demo.DemoConfig;
import io.genstream.app.demo.DemoData;
import io.genstream.app.demo.video.VideoConfig;
import io.genstream.app.demo.video.VideoDemo;
import io.genstream.ingest.Order;
import io.genstream.ingest.folder.FolderLayout;
import io.genstream.trainer.family.ModelSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genstream demo}: the whole pipeline in one JVM with zero setup. */
@Command(
    name = "demo", header = "Run everything in one JVM: broker, data, training, serving, files.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the whole pipeline in one JVM: an in-process Kafka broker,",
      "a synthetic digit stream (or your images: --data DIR), the trainer",
      "(--family cgan, dcgan or vae), the ONNX Runtime generator and the file",
      "sink. Every --request-every it asks the newest model for images of each",
      "label (digit 0-9, or class of DIR) or, unconditional, for ten sets of",
      "images. While it runs, any Kafka client can connect to the printed",
      "bootstrap address.",
      "",
      "--video runs the video pipeline instead: --streams moving-digit cameras at",
      "--fps, a framepred model trained on them, and the predictor publishing each",
      "stream's next frames, judged online against the frames that come and against",
      "repeating the last frame; strips per stream in OUT/video.",
      ""
    })
public final class DemoCommand implements Callable<Integer> {

  @Option(names = "--duration", defaultValue = "5m", converter = DurationConverter.class,
      description = "How long to run, e.g. 90s, 5m, 1h (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--out", defaultValue = "genstream-out",
      description = "Where generated images, sample grids and the manifest go (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--kafka-port", defaultValue = "0",
      description = "Port of the in-process Kafka broker; 0 picks a free one (default: ${DEFAULT-VALUE}).")
  int kafkaPort;

  @Option(names = "--http-port", defaultValue = "8081",
      description = "Port of the generator's HTTP API on 127.0.0.1 (/v1/generate, the Open "
          + "Inference Protocol's /v2, /metrics); 0 picks a free one, -1 turns it off "
          + "(default: ${DEFAULT-VALUE}).")
  int httpPort;

  @Option(names = "--kafka-dir",
      description = {"Broker data directory, kept after the demo (default: a temporary directory, deleted).",
          "A rerun with the same directory resumes training from the last checkpoint."})
  Path kafkaDir;

  @Option(names = "--model", defaultValue = "digits",
      description = "Name the model is published under (default: ${DEFAULT-VALUE}; with --data, "
          + "the data folder's name; with --video, moving-digits).")
  String model;

  @Option(names = "--data", paramLabel = "DIR",
      description = {"Train on your images instead of synthetic digits: class sub-folders of DIR "
          + "(sorted names are labels 0..k-1, cgan with numClasses=k) or a folder of unlabelled "
          + "images (dcgan unless --family), as --layout says. Images become the model's imageSize "
          + "and channels (--set imageSize=32 --set channels=3); DIR is ingested again and again "
          + "(epochs), each epoch in its own order (--order)."})
  Path data;

  @Option(names = "--layout", paramLabel = "LAYOUT",
      description = {"--data: imagefolder (one sub-folder per class), flat (every image, "
          + "recursively, unlabelled) or auto (default): imagefolder when every image is one "
          + "level down in a class sub-folder, flat when images are only at the top level or "
          + "deeper in a tree of folders, refused when images are both at the top level and in "
          + "sub-folders."})
  String layout;

  @Option(names = "--order", paramLabel = "ORDER",
      description = {"--data: shuffled (each epoch in its own random order, drawn from --seed and "
          + "the epoch, classes mixed) or sorted (path order, class after class) (default: "
          + "shuffled)."})
  String order;

  @Option(names = "--images-per-second", defaultValue = "600",
      description = "Pace of the training stream, synthetic or --data (default: ${DEFAULT-VALUE}).")
  double imagesPerSecond;

  @Mixin ModelSpecOptions modelOptions;

  @Mixin JudgingOptions judging;

  @Option(names = "--keep-versions", defaultValue = "20",
      description = "Model versions kept on the models topic; older ones are deleted (default: ${DEFAULT-VALUE}).")
  int keepVersions;

  @Option(names = "--request-every", defaultValue = "30s", converter = DurationConverter.class,
      description = "How often to request images of every label (default: ${DEFAULT-VALUE}).")
  Duration requestEvery;

  @Option(names = "--count", defaultValue = "4",
      description = "Images per label per request round (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the data stream, the model initialisation and the requests (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--video",
      description = "Run the video pipeline: frames in, predicted next frames out (see above).")
  boolean video;

  @Option(names = "--streams", defaultValue = "8",
      description = "--video: moving-digit streams (default: ${DEFAULT-VALUE}).")
  int streams;

  @Option(names = "--fps", defaultValue = "10",
      description = "--video: frames per second of each stream (default: ${DEFAULT-VALUE}).")
  double fps;

  @Option(names = "--speed", defaultValue = "2",
      description = "--video: pixels a digit moves per frame (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--horizon", defaultValue = "1",
      description = "--video: frames predicted ahead of each arriving frame (default: ${DEFAULT-VALUE}).")
  int horizon;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (video) {
      return runVideo();
    }
    DemoConfig config;
    try {
      ModelSpec modelSpec = modelOptions.resolve(seed);
      DemoData demoData = null;
      if (layout != null && data == null) {
        throw new IllegalArgumentException("--layout is for --data DIR");
      }
      if (order != null && data == null) {
        throw new IllegalArgumentException("--order is for --data DIR");
      }
      FolderLayout folderLayout = layout == null ? FolderLayout.AUTO : FolderLayout.parse(layout);
      Order dataOrder = Order.parse(order == null ? Order.Kind.SHUFFLED.id() : order, seed);
      if (data != null) {
        demoData = DemoData.open(data, modelSpec, folderLayout, dataOrder);
        modelSpec = demoData.adapt(modelSpec,
            modelOptions.family != null || modelOptions.specFile != null);
      }
      String name = data != null && !spec.commandLine().getParseResult().hasMatchedOption("--model")
          ? DemoData.modelName(data) : model;
      config = new DemoConfig(duration, out, kafkaPort, kafkaDir, name, imagesPerSecond,
          modelSpec, keepVersions, requestEvery, count, seed, httpPort, demoData,
          judging.judging());
    } catch (IllegalArgumentException e) {
      // Picocli prints this as "genstream demo: <message>" with the usage, exit code 2.
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return new Demo(config, System.out).run();
  }

  private int runVideo() throws Exception {
    VideoConfig config;
    try {
      if (data != null) {
        throw new IllegalArgumentException("--video films its own moving digits; --data is for "
            + "still images (stream your frames with genstream ingest frames)");
      }
      if (modelOptions.family != null && modelOptions.family != ModelSpec.Family.FRAMEPRED) {
        throw new IllegalArgumentException("--video trains family framepred, got --family "
            + modelOptions.family.id());
      }
      if (modelOptions.family == null && modelOptions.specFile == null) {
        modelOptions.family = ModelSpec.Family.FRAMEPRED;
      }
      ModelSpec modelSpec = modelOptions.resolve(seed);
      // The video defaults where the user left a setting alone (a spec file says it all).
      Map<String, String> videoDefaults = new LinkedHashMap<>();
      if (modelOptions.specFile == null) {
        VideoConfig.specDefaults(32).forEach((name, value) -> {
          boolean shortcut = name.equals("exportEvery") && modelOptions.exportEvery != null;
          // Widths are listed per image size: another size needs the user's own.
          boolean otherSize = name.endsWith("Widths")
              && modelOptions.settings.containsKey("imageSize");
          if (!shortcut && !otherSize && !modelOptions.settings.containsKey(name)) {
            videoDefaults.put(name, value);
          }
        });
      }
      if (!videoDefaults.isEmpty()) {
        modelSpec = modelSpec.with(videoDefaults);
      }
      String name = spec.commandLine().getParseResult().hasMatchedOption("--model") ? model
          : "moving-digits";
      config = new VideoConfig(duration, out, kafkaPort, kafkaDir, name, streams, fps, speed,
          horizon, modelSpec, keepVersions, seed);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return new VideoDemo(config, System.out).run();
  }
}
