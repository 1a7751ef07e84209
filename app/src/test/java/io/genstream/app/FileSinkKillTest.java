package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.PublishedModel;
import io.genstream.sinks.file.FileSink;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * {@code genstream sink --out DIR} as its own JVM, killed with SIGKILL while results stream in,
 * then restarted on the same folder and group. The file sink's contract, checked on disk:
 * every result is stored exactly once at its path with the bytes that were sent (no file
 * half-written, none missing, none extra, no temp file left), and the manifest holds only whole
 * lines, at least one per result; a result written again after the kill (delivered at least
 * once: its offset was not committed yet) has further lines for the same path with the same
 * content, never a line for a file that is not on disk.
 */
class FileSinkKillTest {

  private static final int RESULTS = 240;
  private static final String MODEL = "killed";
  private static final String GROUP = "kill-test-sink";

  @TempDir Path out;
  @TempDir Path logs;

  @Test
  void killedFileSinkLosesNothingAndLeavesNoHalfWrittenFile() throws Exception {
    List<GeneratedImage> results = IntStream.range(0, RESULTS).mapToObj(FileSinkKillTest::result)
        .toList();
    Map<String, GeneratedImage> byPath = results.stream().collect(Collectors.toMap(
        r -> slashes(FileSink.relativePath(r)), r -> r));
    assertThat(byPath).hasSize(RESULTS);

    try {
      killAndRestart(results);
    } catch (AssertionError | RuntimeException e) {
      printSinkLogs(); // what the sinks said, for whoever reads the failure
      throw e;
    }

    // Every file under the folder is a result's, at its path, whole; nothing else is there.
    Map<String, Path> files = new HashMap<>();
    try (Stream<Path> walk = Files.walk(out)) {
      walk.filter(Files::isRegularFile).forEach(f -> files.put(slashes(out.relativize(f)), f));
    }
    assertThat(files.remove(FileSink.MANIFEST)).isNotNull();
    assertThat(files.keySet()).as("files on disk, temp files included")
        .containsExactlyInAnyOrderElementsOf(byPath.keySet());
    for (Map.Entry<String, Path> file : files.entrySet()) {
      byte[] bytes = Files.readAllBytes(file.getValue());
      assertThat(bytes).as(file.getKey()).isEqualTo(byPath.get(file.getKey()).data());
      BufferedImage decoded = ImageIO.read(file.getValue().toFile());
      assertThat(decoded.getWidth()).as(file.getKey()).isEqualTo(8);
    }

    // Whole lines only (a line torn by the kill was cut off on restart), each naming a result
    // with the content stored; several lines for a path only for a result written again.
    String manifest = Files.readString(out.resolve(FileSink.MANIFEST), StandardCharsets.UTF_8);
    assertThat(manifest).endsWith("\n");
    List<Map<String, Object>> lines = manifestLines();
    assertThat(lines).hasSizeGreaterThanOrEqualTo(RESULTS);
    for (Map<String, Object> line : lines) {
      GeneratedImage result = byPath.get((String) line.get("path"));
      assertThat(result).as("manifest line %s", line).isNotNull();
      assertThat(line).containsEntry("requestId", result.requestId())
          .containsEntry("bytes", result.data().length)
          .containsEntry("sha256", PublishedModel.sha256(result.data()));
    }
    assertThat(lines.stream().map(line -> line.get("path")).collect(Collectors.toSet()))
        .isEqualTo(Set.copyOf(byPath.keySet()));
  }

  /**
   * Runs a sink, streams the results to it, kills it with SIGKILL a quarter of the way, runs a
   * second one on the same folder and group, and returns once every result is in the manifest
   * and the second sink stopped.
   */
  private void killAndRestart(List<GeneratedImage> results) throws Exception {
    try (EmbeddedKafka broker = EmbeddedKafka.start();
        KafkaSender<String, byte[]> sender =
            KafkaSender.create(SenderOptions.defaults(broker.bootstrapServers()))) {
      Topics topics = Topics.withPrefix("kill.");
      TopicSetup.ensure(broker.bootstrapServers(), topics, 1);

      Process first = startSink(broker.bootstrapServers(), "first");
      try {
        // The first result on disk: the sink consumes; from here the results come at a pace it
        // keeps up with, so that the kill falls in the middle of the stream.
        sender.send(results.get(0).toRecord(topics.results(), "test")).block();
        await("the first sink writes").atMost(Duration.ofSeconds(30))
            .until(() -> manifestLines().size() >= 1);
        Mono<Void> produced = Flux.fromIterable(results.subList(1, RESULTS))
            .delayElements(Duration.ofMillis(15))
            .concatMap(r -> sender.send(r.toRecord(topics.results(), "test")))
            .then().cache();
        produced.subscribe();

        await("a quarter written").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
            .until(() -> manifestLines().size() >= RESULTS / 4);
        first.destroyForcibly();
        assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
        int linesAtKill = manifestLines().size();
        assertThat(linesAtKill).as("killed mid-stream").isLessThan(RESULTS);

        Process second = startSink(broker.bootstrapServers(), "second");
        try {
          produced.block(Duration.ofSeconds(30));
          await("every result in the manifest").atMost(Duration.ofSeconds(30))
              .until(() -> manifestLines().stream().map(line -> line.get("path")).distinct()
                  .count() == RESULTS);
        } finally {
          second.destroy(); // SIGTERM: the sink closes cleanly
          assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
        }
      } finally {
        first.destroyForcibly();
      }
    }
  }

  private void printSinkLogs() throws IOException {
    try (Stream<Path> files = Files.list(logs)) {
      for (Path log : files.sorted().toList()) {
        System.out.println("---- " + log.getFileName() + "\n" + Files.readString(log));
      }
    }
  }

  /** {@code genstream sink} in a JVM of its own, on this test's class path. */
  private Process startSink(String bootstrapServers, String name) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
        "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "sink", "--out", out.toString(), "--group", GROUP,
        "-b", bootstrapServers, "--topic-prefix", "kill.", "--partitions", "1",
        // The restarted member waits for the killed one's session to expire before it gets the
        // partition: the broker's minimum instead of the 45 s default keeps the test short.
        "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=1000"));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(logs.resolve(name + ".log").toFile())
        .start();
  }

  /** The manifest's complete lines, parsed; a line being written (no newline yet) is left out. */
  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> manifestLines() throws IOException {
    Path manifest = out.resolve(FileSink.MANIFEST);
    if (!Files.exists(manifest)) {
      return List.of();
    }
    String text = Files.readString(manifest, StandardCharsets.UTF_8);
    String complete = text.substring(0, text.lastIndexOf('\n') + 1);
    List<Map<String, Object>> lines = new ArrayList<>();
    for (String line : complete.split("\n")) {
      if (!line.isEmpty()) {
        lines.add(Json.read(line, Map.class));
      }
    }
    return lines;
  }

  /** A distinct 8×8 PNG per result. */
  private static GeneratedImage result(int i) {
    byte[] pixels = new byte[64];
    for (int p = 0; p < pixels.length; p++) {
      pixels[p] = (byte) (i * 7 + p * 3);
    }
    return new GeneratedImage("kill-" + i, MODEL, 1, i, 0, 1, i % 3,
        Png.encode(new GrayImage(8, 8, pixels)));
  }

  private static String slashes(Path path) {
    return path.toString().replace('\\', '/');
  }
}
