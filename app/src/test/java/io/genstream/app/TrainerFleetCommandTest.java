package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.messages.CloudEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code genstream trainer --models FILE} and {@code genstream ingest --dataset NAME}. */
class TrainerFleetCommandTest extends CliTest {

  @TempDir Path dir;

  @Test
  void trainerHelpDocumentsTheModelsFileWithAnExample() {
    assertThat(run("trainer", "--help")).isZero();
    assertThat(out.toString()).contains("--models=FILE", "--lease-group", "--lease-topic",
        "- name: pets", "dataset: pets", "exactly one of them");
  }

  @Test
  void refusesOneModelsOptionsWithAModelsFileAndNamesWhatIsWrongInIt() throws Exception {
    Path file = dir.resolve("models.yaml");
    Files.writeString(file, "models:\n  - name: pets\n    dataset: pets\n");
    assertThat(run("trainer", "--models", file.toString(), "--model", "digits")).isEqualTo(2);
    assertThat(err.toString()).contains("--model describes one model");
    assertThat(run("trainer", "--models", file.toString(), "--set", "batchSize=8")).isEqualTo(2);
    assertThat(err.toString()).contains("--set describes one model");

    Files.writeString(file, "models:\n  - name: pets\n    spec: {objective: best}\n");
    assertThat(run("trainer", "--models", file.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("models.yaml", "'pets'", "objective");
    assertThat(run("trainer", "--lease-group", "mine")).isEqualTo(2);
    assertThat(err.toString()).contains("--lease-group and --lease-topic are for --models");
  }

  @Test
  void ingestStampsTheDatasetOnEveryImageItSends() {
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      assertThat(run("ingest", "-b", kafka.bootstrapServers(), "--topic-prefix", "pets.",
          "--partitions", "1", "--dataset", "pets", "--max-images", "20",
          "--images-per-second", "0")).as(err.toString()).isZero();
      assertThat(TopicReader.read(kafka.bootstrapServers(), "pets.images", 20))
          .hasSize(20).allSatisfy(record ->
              assertThat(CloudEvents.attribute(record.headers(), "dataset")).contains("pets"));
    }
    assertThat(run("ingest", "--dataset", "my pets", "--max-images", "1")).isEqualTo(2);
    assertThat(err.toString()).contains("dataset must be", "my pets");
    // The upload server stamps it too (UploadServerTest); a bad name fails before any broker.
    assertThat(run("ingest", "--dataset", "my pets", "--http-port", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("dataset must be", "my pets");
  }
}
