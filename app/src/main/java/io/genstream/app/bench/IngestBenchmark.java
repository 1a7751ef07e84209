package io.genstream.app.bench;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.Json;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.IngestService;
import io.genstream.ingest.folder.FolderSource;
import io.genstream.ingest.folder.ImageFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * {@code genstream bench ingest}: folder ingest (read, decode, normalise, PNG-encode, produce to
 * an in-process broker, acknowledged) of 28×28 and 256×256 PNG and JPEG files, next to a bare
 * {@code ImageIO.read} loop over the same files, the ceiling.
 *
 * <p>The files are written first to a temporary folder (one sub-folder per kind, image-like
 * content: smooth gradients, a few soft discs and noise; 28×28 gray like MNIST, 256×256 RGB
 * like photos) and deleted at the end. For every kind in turn, warm-up passes of each (see
 * {@link #warmUp}), then the bare loop and ingest alternate for {@value #ROUNDS} rounds; the
 * best round of each is reported. Ingest normalises
 * to the trainer's default input ({@code --size 28 --channels 1 --resize fit}), one
 * {@code IngestService} run per round with {@link IngestService#senderOptions}, reading with
 * {@link ImageFiles#DEFAULT_WORKERS} threads (or {@value #WORKERS_PROPERTY}).
 */
public final class IngestBenchmark {

  /** The trainer's consumption on the 2-core machine (README, Performance): ~300 images/s. */
  public static final double TRAINER_IMAGES_PER_SECOND = 300;
  public static final double TARGET_RATIO = 0.8;
  private static final int ROUNDS = 3;
  /**
   * Warm-up passes of each kind (bare loop, then ingest) repeat for at least this long, or
   * {@link #MAX_WARM_UP_PASSES} passes (a handful of files: a short run stays short). One
   * pass was not enough: a pass over 2,000 small files lasts a fifth of a second, and during
   * the timed rounds after it the JIT compiler threads still used 0.25-0.74 s of CPU per round
   * of about a second (measured per thread, 8,000 files a kind), on the same 2 cores as
   * ingest's threads: the figures measured compilation, not ingest.
   */
  private static final Duration WARM_UP = Duration.ofSeconds(3);
  private static final int MAX_WARM_UP_PASSES = 30;
  private static final Duration MAX_WARM_UP = Duration.ofSeconds(15);
  private static final Duration MIN_TELLING_PASS = Duration.ofMillis(250);

  /** One kind of file: pixels per side, format, colour. */
  public record Kind(int size, String format, boolean rgb, int files) {
    String name() {
      return size + "x" + size + "-" + format;
    }
  }

  /** One kind's figures. */
  public record Row(String kind, int files, long bytes, double bareImagesPerSecond,
      double ingestImagesPerSecond, double ratio, double ingestProcessCores, double jitCores,
      double otherCores, boolean met) {}

  /**
   * @param workers files ingest reads and decodes at a time ({@link ImageFiles#DEFAULT_WORKERS}
   *     unless the system property {@value #WORKERS_PROPERTY} says); the bare loop is one thread
   */
  public record Report(String date, String command, int cores, String loadAverage, String java,
      int normalisedSize, int normalisedChannels, double trainerImagesPerSecond,
      double targetRatio, int rounds, int workers, double totalSeconds, List<Row> rows) {

    public String toJson() {
      return Json.write(this);
    }

    public boolean allTargetsMet() {
      return rows.stream().allMatch(Row::met);
    }

    /** The table as Markdown. */
    public void print(PrintWriter out) {
      out.printf(Locale.ROOT, "### genstream bench ingest: folder ingest vs bare ImageIO decode%n%n");
      out.printf(Locale.ROOT, "`%s` — %s, %d cores (load average at start %s), Java %s; ingest "
              + "normalises to %dx%dx%d (fit), produces to an in-process broker, acks=all; "
              + "ingest reads and decodes %s, the bare loop on one thread; best "
              + "of %d rounds per kind; %.0f s in all.%n%n",
          command, date, cores, loadAverage, java, normalisedSize, normalisedSize,
          normalisedChannels, workers == 1 ? "on one thread"
              : "on " + workers + " threads at a time (in order)", rounds, totalSeconds);
      out.println("| files | count | MiB | bare decode images/s | ingest images/s "
          + "| ingest / decode | ingest ≥ 0.8 × decode | ingest / trainer (300/s) "
          + "| this process (cores) during ingest | of it JIT compilers | other processes (cores) |");
      out.println("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|");
      for (Row r : rows) {
        out.printf(Locale.ROOT, "| %s | %,d | %.1f | %,.0f | %,.0f | %.2f | %s | %.1f × | %.2f | %.2f | %s |%n",
            r.kind(), r.files(), r.bytes() / (1024.0 * 1024.0), r.bareImagesPerSecond(),
            r.ingestImagesPerSecond(), r.ratio(), r.met() ? "yes" : "**NO**",
            r.ingestImagesPerSecond() / trainerImagesPerSecond, r.ingestProcessCores(),
            r.jitCores(),
            r.otherCores() < 0 ? "?" : String.format(Locale.ROOT, "%.2f", r.otherCores()));
      }
      out.println();
      out.flush();
    }
  }

  /** Ingest's reader threads for a run, if not {@link ImageFiles#DEFAULT_WORKERS}. */
  public static final String WORKERS_PROPERTY = "genstream.bench.ingest.workers";

  private final List<Kind> kinds;
  private final Path json;
  private final BenchProgress progress;
  private final int workers = Integer.getInteger(WORKERS_PROPERTY, ImageFiles.DEFAULT_WORKERS);

  /**
   * @param smallFiles files per 28×28 kind
   * @param largeFiles files per 256×256 kind
   * @param json where to write the figures as JSON, or null
   */
  public IngestBenchmark(int smallFiles, int largeFiles, Path json, PrintWriter progress) {
    if (smallFiles < 1 || largeFiles < 1) {
      throw new IllegalArgumentException("file counts must be >= 1, got " + smallFiles + " and "
          + largeFiles);
    }
    this.kinds = List.of(new Kind(28, "png", false, smallFiles),
        new Kind(28, "jpeg", false, smallFiles), new Kind(256, "png", true, largeFiles),
        new Kind(256, "jpeg", true, largeFiles));
    this.json = json;
    this.progress = new BenchProgress(progress);
  }

  public Report run(String command) throws IOException, InterruptedException {
    String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    String load = BenchProgress.loadAverage();
    DatasetSpec spec = new DatasetSpec(28, 1, DatasetSpec.Resize.FIT);
    Path root = Files.createTempDirectory("genstream-bench-ingest-");
    List<Row> rows = new ArrayList<>();
    try {
      for (Kind kind : kinds) {
        Path dir = root.resolve(kind.name());
        write(kind, dir);
        progress.step("wrote %,d %s files (%.1f MiB) to %s", kind.files(), kind.name(),
            bytes(dir) / (1024.0 * 1024.0), dir);
      }
      progress.step("starting the in-process broker; topics via TopicSetup (1 partition)");
      Topics topics = Topics.defaults();
      try (EmbeddedKafka broker = EmbeddedKafka.start()) {
        TopicSetup.ensure(broker.bootstrapServers(), topics, 1);
        try (KafkaSender<String, byte[]> sender =
            KafkaSender.create(IngestService.senderOptions(broker.bootstrapServers()))) {
          for (Kind kind : kinds) {
            Path dir = root.resolve(kind.name());
            warmUp(kind, dir, spec, sender, topics);
            double bestBare = 0;
            double bestIngest = 0;
            CpuMeter.Usage bestCpu = null;
            for (int round = 1; round <= ROUNDS; round++) {
              double bare = bareDecode(dir);
              CpuMeter.Mark mark = CpuMeter.start();
              IngestService.Summary summary = ingest(dir, spec, sender, topics, workers);
              CpuMeter.Usage cpu = mark.stop(0);
              check(kind, summary);
              double ingest = summary.imagesPerSecond();
              progress.step("%s round %d: bare decode %,.0f images/s, ingest %,.0f images/s (%.2f ×); "
                      + "JIT compilers %.2f cores", kind.name(), round, bare, ingest, ingest / bare,
                  cpu.jitCores());
              bestBare = Math.max(bestBare, bare);
              if (ingest > bestIngest) {
                bestIngest = ingest;
                bestCpu = cpu;
              }
            }
            double ratio = bestIngest / bestBare;
            rows.add(new Row(kind.name(), kind.files(), bytes(dir), bestBare, bestIngest, ratio,
                bestCpu.processCores(), bestCpu.jitCores(), bestCpu.otherCores(),
                ratio >= TARGET_RATIO));
          }
        }
        progress.step("closing the broker");
      }
    } finally {
      deleteTree(root);
    }
    Report report = new Report(date, command, Runtime.getRuntime().availableProcessors(), load,
        System.getProperty("java.version"), spec.size(), spec.channels(),
        TRAINER_IMAGES_PER_SECOND, TARGET_RATIO, ROUNDS, workers, progress.elapsedSeconds(),
        List.copyOf(rows));
    if (json != null) {
      Path parent = json.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(json, report.toJson());
    }
    return report;
  }

  /**
   * Passes of the bare loop and ingest over {@code kind}'s files, right before its rounds: for
   * at least {@link #WARM_UP} and until a pass in which the JIT compilers settled during ingest
   * ({@link JitWarmUp}; a pass shorter than {@link #MIN_TELLING_PASS} cannot tell), at most
   * {@link #MAX_WARM_UP_PASSES} passes or {@link #MAX_WARM_UP}. Each
   * kind runs code the others do not (the luma plane of a colour JPEG, resizing, deflate), and
   * the JIT recompiles what the previous kind's types deoptimised: warmed up all at the start,
   * a kind measured last still had the JIT compilers on 0.4-0.5 cores during its rounds.
   */
  private void warmUp(Kind kind, Path dir, DatasetSpec spec, KafkaSender<String, byte[]> sender,
      Topics topics) throws IOException, InterruptedException {
    BenchReport.WarmUp warm = new JitWarmUp(WARM_UP, MAX_WARM_UP, MAX_WARM_UP_PASSES,
        MIN_TELLING_PASS).run(pass -> {
          bareDecode(dir);
          CpuMeter.Mark mark = CpuMeter.start();
          check(kind, ingest(dir, spec, sender, topics, workers));
          return mark.stop(0);
        });
    progress.step("%s: warmed up (%d passes of each; JIT compilers %.2f cores in the last)",
        kind.name(), warm.rounds(), warm.lastJitCores());
  }

  private static void check(Kind kind, IngestService.Summary summary) {
    if (summary.published() != kind.files() || summary.deadLettered() != 0) {
      throw new IllegalStateException(kind.name() + ": ingest published "
          + summary.published() + " and dead-lettered " + summary.deadLettered()
          + " of " + kind.files() + " files");
    }
  }

  private static IngestService.Summary ingest(Path dir, DatasetSpec spec,
      KafkaSender<String, byte[]> sender, Topics topics, int workers) {
    try (IngestService service = new IngestService(new FolderSource(dir, spec, null, workers),
        sender, new IngestService.Options(topics, 0, 0))) {
      IngestService.Summary summary = service.run().block(Duration.ofMinutes(10));
      if (summary == null) {
        throw new IllegalStateException("ingest of " + dir + " ended without a summary");
      }
      return summary;
    }
  }

  /** {@code ImageIO.read} of every file, in sorted order: images per second. */
  static double bareDecode(Path dir) throws IOException {
    List<Path> files = files(dir);
    long start = System.nanoTime();
    long pixels = 0;
    for (Path file : files) {
      BufferedImage image = ImageIO.read(file.toFile());
      if (image == null) {
        throw new IllegalStateException("ImageIO cannot read " + file);
      }
      pixels += image.getWidth();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (pixels == 0) {
      throw new IllegalStateException("no pixels");
    }
    return files.size() / seconds;
  }

  /** Image-like content: gradients, soft discs and noise; seeded per file. */
  static void write(Kind kind, Path dir) throws IOException {
    Files.createDirectories(dir);
    int n = kind.size();
    for (int f = 0; f < kind.files(); f++) {
      Random random = new Random(31L * f + n);
      BufferedImage image = new BufferedImage(n, n,
          kind.rgb() ? BufferedImage.TYPE_3BYTE_BGR : BufferedImage.TYPE_BYTE_GRAY);
      double[] gx = new double[3];
      double[] gy = new double[3];
      double[] base = new double[3];
      for (int c = 0; c < 3; c++) {
        gx[c] = (random.nextDouble() - 0.5) * 200;
        gy[c] = (random.nextDouble() - 0.5) * 200;
        base[c] = 60 + random.nextDouble() * 130;
      }
      int discs = 1 + random.nextInt(4);
      double[][] disc = new double[discs][];
      for (int d = 0; d < discs; d++) {
        disc[d] = new double[] {random.nextDouble(), random.nextDouble(),
            0.08 + random.nextDouble() * 0.25, (random.nextDouble() - 0.5) * 180};
      }
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          double u = (double) x / n;
          double v = (double) y / n;
          double shade = 0;
          for (double[] d : disc) {
            double r2 = ((u - d[0]) * (u - d[0]) + (v - d[1]) * (v - d[1])) / (d[2] * d[2]);
            shade += d[3] * Math.exp(-r2);
          }
          int rgb = 0;
          for (int c = 0; c < 3; c++) {
            double value = base[c] + gx[c] * (u - 0.5) + gy[c] * (v - 0.5) + shade
                + random.nextGaussian() * 6;
            rgb = (rgb << 8) | (int) Math.max(0, Math.min(255, Math.round(value)));
          }
          if (!kind.rgb()) {
            int g = (rgb >> 16) & 0xff;
            rgb = (g << 16) | (g << 8) | g;
          }
          image.setRGB(x, y, rgb);
        }
      }
      String ext = kind.format().equals("jpeg") ? "jpg" : "png";
      Path file = dir.resolve(String.format(Locale.ROOT, "img-%05d.%s", f, ext));
      if (!ImageIO.write(image, kind.format(), file.toFile())) {
        throw new IllegalStateException("no ImageIO writer for " + kind.format());
      }
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static long bytes(Path dir) throws IOException {
    long total = 0;
    for (Path p : files(dir)) {
      total += Files.size(p);
    }
    return total;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + root, e);
    }
  }
}
