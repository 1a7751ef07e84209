package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.core.messages.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genstream bench ingest}: a short run end to end. */
class BenchIngestCommandTest extends CliTest {

  @Test
  void fiftyFilesPerKindFinishWithinTwentySecondsAndPrintTheTable(@TempDir Path dir)
      throws Exception {
    Path json = dir.resolve("ingest.json");
    long start = System.nanoTime();

    assertThat(run("bench", "ingest", "--files", "50", "--json", json.toString())).isZero();

    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(out.toString()).contains(
        "| files | count | MiB | bare decode images/s | ingest images/s | ingest / decode |",
        "| 28x28-png | 50 |", "| 28x28-jpeg | 50 |", "| 256x256-png | 50 |",
        "| 256x256-jpeg | 50 |");
    JsonNode report = Json.MAPPER.readTree(Files.readString(json));
    assertThat(report.at("/rows")).hasSize(4);
    for (JsonNode row : report.at("/rows")) {
      assertThat(row.at("/files").asInt()).isEqualTo(50);
      assertThat(row.at("/bareImagesPerSecond").asDouble()).isPositive();
      assertThat(row.at("/ingestImagesPerSecond").asDouble()).isPositive();
    }
  }

  @Test
  void rejectsAFileCountBelowOne() {
    assertThat(run("bench", "ingest", "--files", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("file counts must be >= 1");
  }
}
