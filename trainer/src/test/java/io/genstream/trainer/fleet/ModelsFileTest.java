package io.genstream.trainer.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.trainer.TrainerOptions.DataBinding;
import io.genstream.trainer.family.ModelSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The models file: specs from files and inline settings, and each model's data. */
class ModelsFileTest {

  @TempDir Path dir;

  @Test
  void readsSpecsAndBindingsFromYaml() throws Exception {
    Files.createDirectories(dir.resolve("specs"));
    Files.writeString(dir.resolve("specs/pets.yaml"), "family: dcgan\nbatchSize: 32\n");
    Path file = dir.resolve("models.yaml");
    Files.writeString(file, """
        models:
          - name: pets
            specFile: specs/pets.yaml
            spec: {exportEvery: 100, generatorWidths: [32, 16]}
            dataset: pets
          - name: clips
            spec: {family: framepred}
            topic: lab.frames
            attributes: {camera: door}
          - name: digits
        """);

    List<FleetModel> models = ModelsFile.read(file);

    assertThat(models).extracting(FleetModel::name).containsExactly("pets", "clips", "digits");
    FleetModel pets = models.get(0);
    assertThat(pets.spec().family()).isEqualTo(ModelSpec.Family.DCGAN);
    assertThat(pets.spec().batchSize()).isEqualTo(32);
    assertThat(pets.spec().exportEvery()).isEqualTo(100);
    assertThat(pets.spec().generatorWidths()).containsExactly(32, 16);
    assertThat(pets.data()).isEqualTo(DataBinding.dataset("pets"));
    FleetModel clips = models.get(1);
    assertThat(clips.spec()).isEqualTo(ModelSpec.defaults(ModelSpec.Family.FRAMEPRED));
    assertThat(clips.data()).isEqualTo(new DataBinding("lab.frames", Map.of("camera", "door")));
    assertThat(models.get(2).spec()).isEqualTo(ModelSpec.defaults(ModelSpec.Family.CGAN));
    assertThat(models.get(2).data()).isEqualTo(DataBinding.ALL);
  }

  @Test
  void readsABareJsonList() throws Exception {
    Path file = dir.resolve("models.json");
    Files.writeString(file, "[{\"name\": \"a\", \"spec\": {\"batchSize\": 8}}]");
    assertThat(ModelsFile.read(file)).singleElement()
        .satisfies(model -> assertThat(model.spec().batchSize()).isEqualTo(8));
  }

  @Test
  void namesTheFileTheModelAndTheProblem() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "models:\n  - name: pets\n    spec: {batchSize: -1}\n");
    assertThatThrownBy(() -> ModelsFile.read(file)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.yaml").hasMessageContaining("'pets'")
        .hasMessageContaining("batchSize");
    Files.writeString(file, "models:\n  - name: pets\n    datset: pets\n");
    assertThatThrownBy(() -> ModelsFile.read(file)).hasMessageContaining("datset");
    Files.writeString(file, "models: []\n");
    assertThatThrownBy(() -> ModelsFile.read(file)).hasMessageContaining("at least one model");
  }

  @Test
  void aBindingAcceptsOnlyRecordsWithAllItsAttributes() {
    DataBinding pets = new DataBinding(null, Map.of("dataset", "pets", "camera", "door"));
    RecordHeaders headers = new RecordHeaders();
    headers.add("ce_dataset", "pets".getBytes());
    assertThat(pets.accepts(headers)).isFalse();
    headers.add("ce_camera", "door".getBytes());
    assertThat(pets.accepts(headers)).isTrue();
    assertThat(DataBinding.dataset("cars").accepts(headers)).isFalse();
    assertThat(DataBinding.ALL.accepts(new RecordHeaders())).isTrue();
    assertThatThrownBy(() -> new DataBinding(null, Map.of("Data-Set", "x")))
        .hasMessageContaining("Data-Set");
  }
}
