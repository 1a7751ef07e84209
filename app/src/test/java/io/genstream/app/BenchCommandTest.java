package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.core.messages.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genstream bench generator}: a short run end to end, and its option checks. */
class BenchCommandTest extends CliTest {

  @Test
  void aShortRunPrintsEveryTableAndWritesTheFiguresAsJson(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("bench.json");

    assertThat(run("bench", "generator", "--requests", "100", "--seconds", "0.5",
        "--json", json.toString())).isZero();

    assertThat(out.toString()).contains(
        "| 1 | bare ONNX Runtime loop |", "| 2 | engine alone |", "| 3 | full Kafka path |",
        "| 4 | single-image request through Kafka |", "| raw Kafka round trip, 1 KiB |",
        "| 5 | DJL (PyTorch", "| ratio ORT / DJL |", "| target | measured | limit | met |",
        "Kafka path ≥ 0.9 × bare ORT", "DJL intra-op threads 1, ONNX Runtime intra-op threads 1");
    JsonNode report = Json.MAPPER.readTree(Files.readString(json));
    assertThat(report.at("/setup/batchSize").asInt()).isEqualTo(64);
    assertThat(report.at("/setup/imageSize").asInt()).isEqualTo(28);
    assertThat(report.at("/bareOrt/imagesPerSecond").asDouble()).isPositive();
    assertThat(report.at("/engine/images").asDouble()).isPositive();
    assertThat(report.at("/kafka/requests").asInt()).isEqualTo(100);
    assertThat(report.at("/kafka/images").asDouble()).isPositive();
    assertThat(report.at("/latency/latency/count").asInt()).isPositive();
    assertThat(report.at("/roundTrip/p99Ms").asDouble()).isPositive();
    // Each Kafka phase is measured after at least one warm-up round, and says how many.
    assertThat(report.at("/kafkaWarmUp/rounds").asInt()).isPositive();
    assertThat(report.at("/latencyWarmUp/rounds").asInt()).isPositive();
    assertThat(out.toString()).contains("warm-up round");
    // The two engines compute the same function of the same weights.
    assertThat(report.at("/djlVsOrt/maxAbsDiff").asDouble()).isLessThan(1e-4);
    assertThat(report.at("/targets")).hasSize(3);
  }

  @Test
  void rejectsAFamilyWithoutALatentGenerator() {
    assertThat(run("bench", "generator", "--family", "framepred")).isEqualTo(2);
    assertThat(err.toString()).contains("--family must be cgan, dcgan or vae, got framepred");
  }

  @Test
  void rejectsABatchSizeOutOfRangeNamingTheValue() {
    assertThat(run("bench", "generator", "--batch-size", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--batch-size must be 1..1024, got 0");
  }

  @Test
  void benchListsTheGeneratorBenchmark() {
    assertThat(run("bench", "--help")).isZero();
    assertThat(out.toString()).contains("generator");
  }
}
