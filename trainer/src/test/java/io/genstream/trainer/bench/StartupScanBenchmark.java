package io.genstream.trainer.bench;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.trainer.VersionRetention;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/**
 * How long a trainer's start-up scan of the models topic (a {@link TopicScan} to its end, what
 * {@code ModelVersions.read} and {@link VersionRetention#learnExisting} do) takes for a
 * number of versions of a model of a given size, with and without retention. Not a JUnit test.
 *
 * <p>Arguments (all optional, {@code key=value}): {@code mb=2.6 counts=20,144,300 keep=10
 * retained=144 repeats=3 segmentMb=64}. Prints one {@code RESULT} line per case. Run with the
 * trainer's test class path, e.g. after {@code mvn -o test-compile -pl trainer} and
 * {@code mvn -o dependency:build-classpath -pl trainer -Dmdep.outputFile=cp.txt
 * -Dmdep.includeScope=test}: {@code java -cp target/test-classes:target/classes:$(cat cp.txt)
 * io.genstream.trainer.bench.StartupScanBenchmark}. Needs about 1.5 GB of temporary disk and
 * takes about 4 minutes on 2 cores.
 *
 * <p>Case 2 publishes with retention to a topic with 1 GiB segments (Kafka's default, which the
 * models topic had before {@code TopicSetup.MODELS_SEGMENT_BYTES}); case 3 with small segments
 * and waits for the log cleaner. Page cache is warm (the data was just written).
 */
public final class StartupScanBenchmark {

  private StartupScanBenchmark() {}

  public static void main(String[] args) throws Exception {
    double mb = 2.6;
    int[] counts = {20, 144, 300};
    int keep = 10;
    int retained = 144;
    int repeats = 3;
    int segmentMb = 64;
    for (String arg : args) {
      String[] kv = arg.split("=", 2);
      switch (kv[0]) {
        case "mb" -> mb = Double.parseDouble(kv[1]);
        case "counts" -> counts = Arrays.stream(kv[1].split(",")).mapToInt(Integer::parseInt).toArray();
        case "keep" -> keep = Integer.parseInt(kv[1]);
        case "retained" -> retained = Integer.parseInt(kv[1]);
        case "repeats" -> repeats = Integer.parseInt(kv[1]);
        case "segmentMb" -> segmentMb = Integer.parseInt(kv[1]);
        default -> throw new IllegalArgumentException("unknown argument " + arg);
      }
    }
    byte[] model = new byte[(int) (mb * 1024 * 1024)];
    new Random(1).nextBytes(model);
    try (EmbeddedKafka kafka = EmbeddedKafka.start(new EmbeddedKafka.Config(0, null,
            Map.of("log.cleaner.backoff.ms", "1000")));
        KafkaSender<String, byte[]> sender =
            KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()));
        Admin admin = Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      String bootstrap = kafka.bootstrapServers();
      int caseNo = 0;
      // The fixed cost of a scan: first in this JVM (class loading, as in a fresh trainer), then warm.
      Topics empty = Topics.withPrefix("bench" + caseNo++ + ".");
      TopicSetup.ensure(bootstrap, empty, 1);
      report(kafka, bootstrap, empty.models(), "empty topic, first scan in the JVM", 1);
      report(kafka, bootstrap, empty.models(), "empty topic, warm", 5);
      // 1. No retention: every version stays.
      for (int count : counts) {
        Topics topics = Topics.withPrefix("bench" + caseNo++ + ".");
        TopicSetup.ensure(bootstrap, topics, 1);
        for (long v = 1; v <= count; v++) {
          send(sender, topics.models(), "m/" + v, model);
        }
        report(kafka, bootstrap, topics.models(), "no retention, " + count + " versions", repeats);
      }
      // 2. Retention, topic as TopicSetup makes it (1 GiB segments: nothing is compacted yet).
      // 3. Retention with small segments, after the log cleaner ran.
      for (int segment : new int[] {0, segmentMb}) {
        Topics topics = Topics.withPrefix("bench" + caseNo++ + ".");
        TopicSetup.ensure(bootstrap, topics, 1);
        if (segment > 0) {
          admin.incrementalAlterConfigs(Map.of(
              new ConfigResource(ConfigResource.Type.TOPIC, topics.models()),
              List.of(new AlterConfigOp(new ConfigEntry(TopicConfig.SEGMENT_BYTES_CONFIG,
                  String.valueOf(segment * 1024 * 1024)), AlterConfigOp.OpType.SET)))).all().get();
        }
        VersionRetention retention = new VersionRetention(sender, topics.models(), "m", keep);
        for (long v = 1; v <= retained; v++) {
          send(sender, topics.models(), "m/" + v, model);
          retention.published(v).block(Duration.ofSeconds(60));
        }
        String name = "retention keep " + keep + ", " + retained + " versions published, "
            + (segment > 0 ? segment + " MiB segments" : "default segments");
        if (segment > 0) {
          // The cleaner cleans closed segments once half the log is dirty; wait until it has.
          long before = diskBytes(kafka, topics.models());
          long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
          long size = before;
          while (System.nanoTime() < deadline) {
            Thread.sleep(1000);
            size = diskBytes(kafka, topics.models());
            if (size < before / 2) {
              Thread.sleep(3000); // let a pass in progress finish
              break;
            }
          }
          name += " (after compaction)";
        }
        report(kafka, bootstrap, topics.models(), name, repeats);
      }
    }
  }

  private static void send(KafkaSender<String, byte[]> sender, String topic, String key,
      byte[] value) {
    sender.send(new ProducerRecord<>(topic, key, value)).block(Duration.ofSeconds(60));
  }

  private static void report(EmbeddedKafka kafka, String bootstrap, String topic, String name,
      int repeats) {
    List<Double> seconds = new ArrayList<>();
    long records = 0;
    long bytes = 0;
    for (int i = 0; i < repeats; i++) {
      AtomicLong n = new AtomicLong();
      AtomicLong b = new AtomicLong();
      long start = System.nanoTime();
      TopicScan.readToEnd(bootstrap, topic, Duration.ofMinutes(5), record -> {
        n.incrementAndGet();
        b.addAndGet(record.value() == null ? 0 : record.value().length);
      });
      seconds.add((System.nanoTime() - start) / 1e9);
      records = n.get();
      bytes = b.get();
    }
    seconds.sort(null);
    double median = seconds.get(seconds.size() / 2);
    System.out.printf(Locale.ROOT,
        "RESULT %-75s records %4d, %7.1f MB read, on disk %7.1f MB, scan median %.2f s "
            + "(min %.2f, max %.2f), %.0f MB/s%n",
        name, records, bytes / 1e6, diskBytes(kafka, topic) / 1e6, median, seconds.get(0),
        seconds.get(seconds.size() - 1), bytes / 1e6 / median);
  }

  private static long diskBytes(EmbeddedKafka kafka, String topic) {
    try (Stream<Path> files = Files.walk(kafka.dataDir())) {
      return files.filter(p -> p.getParent() != null
              && p.getParent().getFileName().toString().startsWith(topic + "-")
              && p.getFileName().toString().endsWith(".log"))
          .mapToLong(p -> {
            try {
              return Files.size(p);
            } catch (IOException e) {
              return 0; // deleted by the cleaner meanwhile
            }
          })
          .sum();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
