package io.genstream.app.cli;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.ImageSource;
import io.genstream.ingest.IngestLedger;
import io.genstream.ingest.IngestService;
import io.genstream.ingest.Order;
import io.genstream.ingest.folder.FolderSource;
import io.genstream.ingest.folder.ImageFiles;
import io.genstream.ingest.folder.ImageFolderSource;
import io.genstream.ingest.upload.UploadServer;
import io.genstream.ingest.idx.IdxSource;
import io.genstream.ingest.synthetic.SyntheticDigits;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * {@code genstream ingest}: streams images to the images topic, from synthetic digits (endless,
 * until stopped) or from files (a folder, class folders, IDX files: finite, the process ends
 * with a summary), rejected files to the dead-letter topic.
 */
@Command(name = "ingest", header = "Stream labelled images to the images topic.", mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = IngestFramesCommand.class,
    description = {"Streams images to the images topic: synthetic labelled digits (the default, "
        + "until stopped), or the images of a folder, of class folders, or of MNIST-format IDX files "
        + "(finite: ends with a summary, exit code 0). Files are normalised to --size, --channels and "
        + "--resize; a file that is not a usable image goes to the dead-letter topic with its path "
        + "and the reason. Files are sent in a shuffled order by default (--order, --seed), "
        + "reshuffled for every epoch (--epochs).", ""})
public final class IngestCommand implements Callable<Integer> {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  @Mixin KafkaOptions kafka;

  @Mixin ManagementOptions management;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Sources sources;

  /** At most one file source; none means synthetic digits. */
  static final class Sources {
    @Option(names = "--http-port", paramLabel = "P",
        description = "Take images by HTTP on port P (0: any free port): POST /v1/images?label=N "
            + "with an image body or a multipart form of files (&dataset=NAME stamps that "
            + "request's images, overriding --dataset); runs until Ctrl-C.")
    Integer httpPort;

    @Option(names = "--folder", paramLabel = "DIR",
        description = "Images of DIR and its sub-folders (PNG, JPEG, BMP, GIF), unlabelled (label 0).")
    Path folder;

    @Option(names = "--image-folder", paramLabel = "DIR",
        description = "One sub-folder of DIR per class; classes sorted by name are labels 0..k-1.")
    Path imageFolder;

    @Option(names = "--idx", arity = "2", paramLabel = "FILE",
        description = "MNIST-format IDX images and labels files, plain or gzip: --idx IMAGES LABELS.")
    List<Path> idx;
  }

  @Option(names = "--watch", arity = "0..1", fallbackValue = "1s", paramLabel = "INTERVAL",
      converter = DurationConverter.class,
      description = "With --folder: keep running and stream new files as they appear, looking "
          + "every INTERVAL (default when given without a value: ${FALLBACK-VALUE}); a file is taken "
          + "once it stopped changing.")
  Duration watch;

  @Option(names = "--size", defaultValue = "28",
      description = "Images are SIZE x SIZE pixels (default: ${DEFAULT-VALUE}; synthetic: 28 or 32).")
  int size;

  @Option(names = "--channels", defaultValue = "1",
      description = "1 (gray) or 3 (RGB); files of the other kind are converted (default: ${DEFAULT-VALUE}).")
  int channels;

  @Option(names = "--resize", defaultValue = "fit",
      description = "fit (stretch), crop (centre square) or pad (black borders) (default: ${DEFAULT-VALUE}).")
  String resize;

  @Option(names = "--images-per-second",
      description = "Pace; 0 for full speed (default: 600 for synthetic digits, 0 for files).")
  Double imagesPerSecond;

  @Option(names = "--max-images", defaultValue = "0",
      description = "Stop after this many, then exit; 0 for no limit (default: ${DEFAULT-VALUE}).")
  long maxImages;

  @Option(names = "--ledger", paramLabel = "FILE",
      description = "Ledger of the content hashes already sent, for --folder and --image-folder: a "
          + "rerun skips those files (default: DIR/.genstream-ingest/<images topic>.ledger).")
  Path ledger;

  @Option(names = "--no-ledger", description = "Keep no ledger: send every file, every run.")
  boolean noLedger;

  @Option(names = "--dataset", paramLabel = "NAME",
      description = "Stamp ce_dataset=NAME on every image (with --http-port: on every upload "
          + "that names no dataset of its own), so that a trainer bound to dataset NAME "
          + "(genstream trainer --models) trains on these images and others skip them.")
  String dataset;

  @Option(names = "--order", paramLabel = "ORDER",
      description = "--folder, --image-folder, --idx: shuffled (each epoch in its own random "
          + "order, drawn from --seed and the epoch; an ImageFolder's classes mixed) or sorted "
          + "(path order, class after class; IDX by index) (default: shuffled).")
  String order;

  @Option(names = "--epochs", paramLabel = "N",
      description = "--folder, --image-folder, --idx: send the data set N times, each epoch in "
          + "its own order; 0 until Ctrl-C (default: 1). With a ledger a rerun goes on in the "
          + "epoch it was in, in the same order, and sends what is left of it.")
  Long epochs;

  @Option(names = "--seed", defaultValue = "1",
      description = "Seed of the synthetic stream and of the shuffled order (default: ${DEFAULT-VALUE}).")
  long seed;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (sources != null && sources.httpPort != null) {
      return runUploadServer(sources.httpPort);
    }
    ImageSource source;
    try {
      source = source();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    long epochCount = epochs == null ? 1 : epochs;
    boolean finite = !(source instanceof SyntheticDigits) && watch == null && epochCount != 0
        || maxImages > 0;
    double pace = imagesPerSecond != null ? imagesPerSecond : source instanceof SyntheticDigits ? 600 : 0;
    IngestService.Options options;
    try {
      // Checked before creating topics, so that a bad value fails without a broker.
      options = new IngestService.Options(kafka.topics(), pace, maxImages, dataset, epochCount);
      kafka.ensureTopics();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    IngestLedger ingestLedger;
    try {
      ingestLedger = ledger(options);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    try {
      IngestService.checkEpochs(source, options, ingestLedger);
    } catch (IllegalArgumentException e) {
      if (ingestLedger != null) {
        ingestLedger.close();
      }
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (!finite) {
      return runUntilStopped(source, options, ingestLedger);
    }
    try {
      return runToEnd(source, options, ingestLedger);
    } finally {
      if (ingestLedger != null) {
        ingestLedger.close();
      }
    }
  }

  /** The ledger of a folder ingest, opened; null for other sources or with --no-ledger. */
  private IngestLedger ledger(IngestService.Options options) {
    Path dir = sources == null ? null : sources.folder != null ? sources.folder : sources.imageFolder;
    if (dir == null) {
      if (ledger != null) {
        throw new IllegalArgumentException("--ledger is for --folder and --image-folder only");
      }
      return null;
    }
    if (noLedger) {
      if (ledger != null) {
        throw new IllegalArgumentException("--ledger and --no-ledger exclude each other");
      }
      return null;
    }
    Path file = ledger != null ? ledger : IngestLedger.defaultFile(dir, options.topics().images());
    try {
      IngestLedger opened = IngestLedger.open(file);
      System.out.println("ledger: " + file + " (" + opened.loaded() + " files already sent)");
      return opened;
    } catch (UncheckedIOException e) {
      throw new UncheckedIOException(e.getMessage() + " (choose another with --ledger FILE, or --no-ledger)",
          e.getCause());
    }
  }

  private ImageSource source() {
    if (sources == null) {
      if (watch != null) {
        throw new IllegalArgumentException("--watch is for --folder only");
      }
      checkNoOrder();
      if (channels != 1) {
        throw new IllegalArgumentException("synthetic digits are gray: --channels must be 1, got " + channels);
      }
      if (size != 28 && size != 32) {
        throw new IllegalArgumentException("synthetic digits are 28 or 32 pixels: --size got " + size);
      }
      return new SyntheticDigits(size, seed);
    }
    if (watch != null && sources.folder == null) {
      throw new IllegalArgumentException("--watch is for --folder only");
    }
    if (watch != null && epochs != null) {
      throw new IllegalArgumentException("--epochs is for a finite data set: --watch runs until "
          + "stopped, new files in the order they arrive");
    }
    DatasetSpec dataset = new DatasetSpec(size, channels, DatasetSpec.Resize.parse(resize));
    Order fileOrder = Order.parse(order == null ? Order.Kind.SHUFFLED.id() : order, seed);
    if (sources.folder != null) {
      return new FolderSource(sources.folder, dataset, watch, ImageFiles.DEFAULT_WORKERS, fileOrder);
    }
    if (sources.imageFolder != null) {
      ImageFolderSource classes = new ImageFolderSource(sources.imageFolder, dataset,
          ImageFiles.DEFAULT_WORKERS, fileOrder);
      System.out.println("classes: " + classes.labelNames());
      return classes;
    }
    return new IdxSource(sources.idx.get(0), sources.idx.get(1), dataset, fileOrder);
  }

  /** --order and --epochs are for the finite file sources. */
  private void checkNoOrder() {
    if (order != null || epochs != null) {
      throw new IllegalArgumentException((order != null ? "--order" : "--epochs")
          + " is for --folder, --image-folder and --idx");
    }
  }

  /** A finite ingest: progress lines, a summary, exit code 0 (1 if a send failed). */
  private int runToEnd(ImageSource source, IngestService.Options options, IngestLedger ledger) {
    try (KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(kafka.connection()));
        IngestService ingest = new IngestService(source, sender, options, ledger)) {
      long started = System.nanoTime();
      Disposable progress = Flux.interval(PROGRESS_EVERY, PROGRESS_EVERY)
          .subscribe(tick -> System.out.println(progress(ingest, started)));
      Thread stop = new Thread(() -> System.out.println(
          "ingest interrupted: " + ingest.published() + " sent, " + ingest.deadLettered() + " dead-lettered, "
              + ingest.alreadySent() + " already sent" + (ledger == null ? "" : "; rerun to send the rest")),
          "genstream-ingest-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      try {
        IngestService.Summary summary = ingest.run().block();
        System.out.println("ingest finished: " + summary);
        return 0;
      } catch (RuntimeException e) {
        System.err.println("ingest failed after " + progress(ingest, started) + ": " + e.getMessage());
        return 1;
      } finally {
        progress.dispose();
        try {
          Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
          // Shutting down already: the hook is running.
        }
      }
    }
  }

  private static String progress(IngestService ingest, long started) {
    double seconds = (System.nanoTime() - started) / 1e9;
    return String.format("%d sent, %d dead-lettered, %d already sent, %.0f images/s", ingest.published(),
        ingest.deadLettered(), ingest.alreadySent(), seconds == 0 ? 0 : ingest.published() / seconds);
  }

  /** Endless synthetic digits or a watched folder, until Ctrl-C; closes {@code ledger}. */
  private int runUntilStopped(ImageSource source, IngestService.Options options,
      IngestLedger ledger) throws Exception {
    return UntilStopped.runService("ingest", () -> {
      KafkaSender<String, byte[]> sender =
          KafkaSender.create(IngestService.senderOptions(kafka.connection()));
      IngestService ingest = new IngestService(source, sender, options, ledger);
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters =
          management.meters("ingest");
      ServiceMeters.ingest(ingest, meters);
      AutoCloseable port;
      try {
        port = management.open("ingest", meters, () -> null, kafka.connection(), null);
      } catch (RuntimeException e) {
        ingest.close();
        sender.close();
        throw e;
      }
      if (watch != null) {
        System.out.println("watching " + sources.folder.toAbsolutePath() + " every "
            + watch.toMillis() + " ms for new images");
      }
      return new UntilStopped.Running(() -> {
        ingest.close();
        sender.close();
        port.close();
        if (ledger != null) {
          ledger.close();
        }
        System.out.println("ingest stopped: " + ingest.published() + " images published, "
            + ingest.deadLettered() + " dead-lettered, " + ingest.alreadySent() + " already sent");
      }, ingest.run().then());
    });
  }

  /** The HTTP upload source, until Ctrl-C. */
  private int runUploadServer(int port) throws Exception {
    UploadServer.Options options;
    try {
      checkNoOrder();
      // Checked before creating topics, so that a bad value fails without a broker.
      DatasetSpec images = new DatasetSpec(size, channels, DatasetSpec.Resize.parse(resize));
      IngestService.checkDataset(dataset);
      options = new UploadServer.Options("0.0.0.0", port, UploadServer.DEFAULT_MAX_BODY_BYTES,
          kafka.ensureTopics(), images, dataset);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return UntilStopped.run("ingest", () -> {
      KafkaSender<String, byte[]> sender =
          KafkaSender.create(IngestService.senderOptions(kafka.connection()));
      UploadServer server = new UploadServer(sender, options);
      try {
        server.start().block();
      } catch (RuntimeException e) {
        server.close();
        sender.close();
        throw e;
      }
      System.out.println("upload images: curl --data-binary @cat.png -H 'Content-Type: image/png' "
          + "'http://127.0.0.1:" + server.port() + "/v1/images?label=3'"
          + (dataset == null ? "" : " (dataset " + dataset + " unless the request names one: "
              + "&dataset=NAME)"));
      return () -> {
        server.close();
        sender.close();
        System.out.println("upload server stopped");
      };
    });
  }
}
