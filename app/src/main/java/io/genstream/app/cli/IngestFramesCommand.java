package io.genstream.app.cli;

import io.genstream.ingest.video.FrameFolderSource;
import io.genstream.ingest.video.FrameIngestService;
import io.genstream.ingest.video.FrameSource;
import io.genstream.ingest.video.FrameSpec;
import io.genstream.ingest.video.MovingDigits;
import io.genstream.ingest.video.PngStreamSource;
import io.genstream.ingest.video.PngStreamSplitter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
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
 * {@code genstream ingest frames}: streams video frames to the frames topic, from synthetic
 * moving digits (the default; endless unless {@code --max-frames}), a folder of frame images, or
 * a PNG stream on standard input (ffmpeg's {@code image2pipe}), rejected frames to the
 * dead-letter topic.
 */
@Command(name = "frames", header = "Stream video frames to the frames topic.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Streams video frames, keyed by stream id, to the frames topic: synthetic "
        + "moving digits (the default: 8 streams, until Ctrl-C or --max-frames), the PNG frames "
        + "of a folder (a folder of frames is one stream; a folder of sub-folders is one stream "
        + "per sub-folder, named after it), or PNGs piped on standard input (--stream ID). "
        + "Finite sources end with a summary and exit code 0.",
        "",
        "Frames must be SIZE x SIZE PNGs with the given channels; others (wrong size, colour for "
        + "gray, corrupt bytes, a PNG over --max-png-bytes) go to the dead-letter topic with the "
        + "reason and their bytes. A rejected frame keeps its index (ce_frame), so consumers see "
        + "the gap; the ingest goes on.", ""},
    footer = {"", "Examples:",
        "  genstream ingest frames --synthetic 8 --size 64 --fps 10",
        "  genstream ingest frames --folder clips/    # clips/cam1/*.png, clips/cam2/*.png",
        "  ffmpeg -i in.mp4 -vf scale=32:32,format=gray -f image2pipe -vcodec png - \\",
        "    | genstream ingest frames --stream cam1"})
public final class IngestFramesCommand implements Callable<Integer> {

  private static final Duration PROGRESS_EVERY = Duration.ofSeconds(2);

  @Mixin KafkaOptions kafka;

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Sources sources;

  /** At most one source; none means 8 streams of moving digits. */
  static final class Sources {
    @Option(names = "--stream", paramLabel = "ID",
        description = "Read concatenated PNGs from standard input as stream ID (e.g. ffmpeg "
            + "-f image2pipe -vcodec png -).")
    String stream;

    @Option(names = "--folder", paramLabel = "DIR",
        description = "PNG frames of DIR in natural name order (frame2 before frame10), one "
            + "stream named after DIR; or one stream per sub-folder of DIR, advancing together.")
    Path folder;

    @Option(names = "--synthetic", paramLabel = "N",
        description = "N streams of moving digits bouncing in the frame (the default, N = 8).")
    Integer synthetic;
  }

  @Option(names = "--size", defaultValue = "32",
      description = "Frames are SIZE x SIZE pixels; others are dead-lettered, not resized "
          + "(default: ${DEFAULT-VALUE}; synthetic: 32 or 64).")
  int size;

  @Option(names = "--channels", defaultValue = "1",
      description = "1 (gray) or 3 (RGB); frames of the other kind are dead-lettered "
          + "(default: ${DEFAULT-VALUE}; synthetic: 1).")
  int channels;

  @Option(names = "--fps",
      description = "Frames per second per stream; 0 for as fast as possible "
          + "(default: 10 for synthetic, 0 for a folder or stdin).")
  Double fps;

  @Option(names = "--max-frames", defaultValue = "0",
      description = "Stop after this many frames per stream (rejected ones count), then exit; "
          + "0 for no limit (default: ${DEFAULT-VALUE}).")
  long maxFrames;

  @Option(names = "--speed", defaultValue = "2", paramLabel = "PX",
      description = "Synthetic: pixels a digit moves per frame, 1..SIZE/4 (default: ${DEFAULT-VALUE}).")
  double speed;

  @Option(names = "--digits", defaultValue = "2",
      description = "Synthetic: most digits per clip, 1..3 (default: ${DEFAULT-VALUE}).")
  int digits;

  @Option(names = "--clip-frames", defaultValue = "0", paramLabel = "N",
      description = "Synthetic: a new clip (scene cut) every N frames of a stream; 0 for one clip "
          + "for ever (default: ${DEFAULT-VALUE}).")
  long clipFrames;

  @Option(names = "--seed", defaultValue = "1", description = "Synthetic: seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--horizon", defaultValue = "0", paramLabel = "H",
      description = "Ask the predictor for H frames ahead of each frame (ce_horizon on every "
          + "frame), 1..16; 0 leaves it to the predictor's --horizon (default: ${DEFAULT-VALUE}).")
  int horizon;

  @Option(names = "--max-png-bytes", defaultValue = "" + PngStreamSplitter.DEFAULT_MAX_PNG_BYTES,
      paramLabel = "BYTES",
      description = "Largest frame accepted, in bytes; larger ones are refused unread (default: ${DEFAULT-VALUE}).")
  int maxPngBytes;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    FrameSource source;
    FrameIngestService.Options options;
    try {
      source = source();
      boolean synthetic = source instanceof MovingDigits;
      options = new FrameIngestService.Options(kafka.topics(), fps != null ? fps : synthetic ? 10 : 0,
          horizon);
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    kafka.ensureTopics();
    PrintWriter out = spec.commandLine().getOut();
    if (source instanceof FrameFolderSource folder && folder.ignoredFiles() > 0) {
      out.println("ignored " + folder.ignoredFiles() + " file(s) directly in " + sources.folder
          + ": with sub-folders, each sub-folder is a stream");
    }
    out.println("streams: " + source.streams().size() + " " + abbreviated(source));
    if (source instanceof PngStreamSource && System.console() != null) {
      // Standard input is a terminal, not a pipe: say what this is waiting for.
      out.println("reading PNG frames from standard input: pipe them in, e.g. ffmpeg -i in.mp4 -vf "
          + "scale=" + size + ":" + size + ",format=" + (channels == 1 ? "gray" : "rgb24")
          + " -f image2pipe -vcodec png - | genstream ingest frames --stream " + sources.stream);
    }
    out.flush();
    return source.finite() ? runToEnd(source, options, out) : runUntilStopped(source, options, out);
  }

  private FrameSource source() {
    Clock clock = Clock.systemUTC();
    if (sources == null || sources.synthetic != null) {
      int streams = sources == null ? 8 : sources.synthetic;
      if (channels != 1) {
        throw new IllegalArgumentException("moving digits are gray: --channels must be 1, got " + channels);
      }
      return new MovingDigits(
          new MovingDigits.Options(streams, size, speed, digits, seed, maxFrames, clipFrames), clock);
    }
    FrameSpec frameSpec = new FrameSpec(size, channels);
    if (sources.folder != null) {
      return new FrameFolderSource(sources.folder, frameSpec, maxFrames, maxPngBytes, clock);
    }
    // Standard input belongs to the process: read, never closed here.
    return new PngStreamSource(sources.stream, System.in, frameSpec, maxPngBytes, maxFrames, clock);
  }

  /** A finite source: progress lines, a summary, exit code 0 (1 if a send failed). */
  private int runToEnd(FrameSource source, FrameIngestService.Options options, PrintWriter out) {
    try (FrameIngestService ingest =
        FrameIngestService.create(source, kafka.connection(), options)) {
      long started = System.nanoTime();
      Disposable progress = Flux.interval(PROGRESS_EVERY, PROGRESS_EVERY).subscribe(tick -> {
        out.println(progress(ingest, started));
        out.flush();
      });
      Thread stop = new Thread(() -> System.out.println("ingest frames interrupted: "
          + progress(ingest, started)), "genstream-ingest-frames-stop");
      Runtime.getRuntime().addShutdownHook(stop);
      try {
        FrameIngestService.Summary summary = ingest.run().block();
        out.println("ingest frames finished: " + summary);
        return 0;
      } catch (RuntimeException e) {
        spec.commandLine().getErr().println(
            "ingest frames failed after " + progress(ingest, started) + ": " + e.getMessage());
        return 1;
      } finally {
        progress.dispose();
        out.flush();
        try {
          Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException e) {
          // Shutting down already: the hook is running.
        }
      }
    }
  }

  private static String progress(FrameIngestService ingest, long started) {
    double seconds = (System.nanoTime() - started) / 1e9;
    return String.format("%d frames sent, %d dead-lettered, %.0f frames/s", ingest.sent(),
        ingest.deadLettered(), seconds == 0 ? 0 : ingest.sent() / seconds);
  }

  /** Endless moving digits, until Ctrl-C. */
  private int runUntilStopped(FrameSource source, FrameIngestService.Options options,
      PrintWriter out) throws Exception {
    return UntilStopped.runService("ingest frames", () -> {
      FrameIngestService ingest = FrameIngestService.create(source, kafka.connection(), options);
      return new UntilStopped.Running(() -> {
        ingest.close();
        System.out.println("ingest frames stopped: " + ingest.sent() + " frames sent, "
            + ingest.deadLettered() + " dead-lettered");
      }, ingest.run().then());
    });
  }

  private static String abbreviated(FrameSource source) {
    var streams = source.streams();
    return streams.size() <= 5 ? streams.toString()
        : "[" + String.join(", ", streams.subList(0, 4)) + ", …, " + streams.get(streams.size() - 1) + "]";
  }
}
