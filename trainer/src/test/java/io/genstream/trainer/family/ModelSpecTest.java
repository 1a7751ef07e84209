package io.genstream.trainer.family;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genstream.core.messages.Json;
import io.genstream.trainer.family.ModelSpec.Augmentation;
import io.genstream.trainer.family.ModelSpec.Family;
import io.genstream.trainer.family.ModelSpec.Objective;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSpecTest {

  @Test
  void everyFamilyHasValidDefaults() {
    for (Family family : Family.values()) {
      ModelSpec spec = ModelSpec.defaults(family);
      assertThat(spec.family()).isEqualTo(family);
      assertThat(spec.stages()).isEqualTo(2);
      assertThat(spec.baseSize()).isEqualTo(7);
    }
    assertThat(ModelSpec.defaults(Family.CGAN).conditional()).isTrue();
    assertThat(ModelSpec.defaults(Family.DCGAN).conditional()).isFalse();
  }

  @Test
  void settingsGivenAsTextOverrideTheDefaults() {
    ModelSpec spec = ModelSpec.defaults(Family.CGAN).with(Map.of("objective", "wgan-gp",
        "generatorWidths", "32, 16", "spectralNorm", "true", "emaDecay", "0.999", "seed", "7"));
    assertThat(spec.objective()).isEqualTo(Objective.WGAN_GP);
    assertThat(spec.generatorWidths()).containsExactly(32, 16);
    assertThat(spec.spectralNorm()).isTrue();
    assertThat(spec.emaDecay()).isEqualTo(0.999f);
    assertThat(spec.seed()).isEqualTo(7L);
  }

  @Test
  void badSettingsNameTheSettingAndTheValidChoices() {
    ModelSpec spec = ModelSpec.defaults(Family.CGAN);
    assertThatThrownBy(() -> spec.with(Map.of("objective", "wgan_gp2")))
        .hasMessage("objective must be one of nonsaturating, lsgan, hinge, wgan, wgan-gp, ragan, "
            + "got 'wgan_gp2'");
    assertThatThrownBy(() -> spec.with(Map.of("learningRate", "0.1")))
        .hasMessageStartingWith("unknown model setting 'learningRate'; settings are [family,");
    assertThatThrownBy(() -> spec.with(Map.of("batchSize", "many")))
        .hasMessage("batchSize must be a number, got 'many'");
    assertThatThrownBy(() -> spec.with(Map.of("imageSize", "30")))
        .hasMessageStartingWith("imageSize must be 16..128 and b·2^k");
    assertThatThrownBy(() -> spec.with(Map.of("imageSize", "32", "generatorWidths", "64,32")))
        .hasMessageStartingWith("generatorWidths must be 3 widths for imageSize 32");
    assertThatThrownBy(() -> spec.with(Map.of("family", "dcgan")))
        .hasMessageStartingWith("numClasses must be 0 for family dcgan");
  }

  @Test
  void widthsFollowTheImageSizeUnlessGiven(@TempDir Path dir) throws Exception {
    ModelSpec cgan = ModelSpec.defaults(Family.CGAN); // 28: G [128, 64], D [64, 128]

    ModelSpec at32 = cgan.with(Map.of("imageSize", "32", "channels", "3"));
    assertThat(at32.generatorWidths()).containsExactly(128, 128, 64);
    assertThat(at32.discriminatorWidths()).containsExactly(64, 128, 128);
    ModelSpec at128 = cgan.with(Map.of("imageSize", "128"));
    assertThat(at128.generatorWidths()).containsExactly(128, 128, 128, 128, 64);
    // Back down again, and widths given explicitly win.
    assertThat(at128.with(Map.of("imageSize", "16")).generatorWidths()).containsExactly(128, 64);
    assertThat(cgan.with(Map.of("imageSize", "32", "generatorWidths", "64,32,16"))
        .generatorWidths()).containsExactly(64, 32, 16);
    assertThat(ModelSpec.defaults(Family.FRAMEPRED).with(Map.of("imageSize", "64"))
        .generatorWidths()).containsExactly(64, 64, 64, 64);

    Path yaml = dir.resolve("size-only.yaml");
    Files.writeString(yaml, "family: vae\nimageSize: 48\n");
    assertThat(ModelSpec.read(yaml).discriminatorWidths()).containsExactly(64, 128, 128);
  }

  @Test
  void readsYamlAndJsonFilesOverTheirFamilysDefaults(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("model.yaml");
    Files.writeString(yaml, "family: dcgan\nimageSize: 32\ngeneratorWidths: [64, 32, 16]\n"
        + "discriminatorWidths: [16, 32, 64]\nobjective: hinge\n");
    ModelSpec fromYaml = ModelSpec.read(yaml);
    assertThat(fromYaml.family()).isEqualTo(Family.DCGAN);
    assertThat(fromYaml.stages()).isEqualTo(3);
    assertThat(fromYaml.objective()).isEqualTo(Objective.HINGE);
    assertThat(fromYaml.numClasses()).isZero(); // dcgan's default, not cgan's

    Path json = dir.resolve("model.json");
    Files.writeString(json, fromYaml.toJson());
    assertThat(ModelSpec.read(json)).isEqualTo(fromYaml);

    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"family\": \"vae\", \"klWeight\": -1}");
    assertThatThrownBy(() -> ModelSpec.read(bad))
        .hasMessageContaining("bad.json").hasMessageContaining("klWeight must be 0..100");
  }

  @Test
  void theHashIdentifiesTheDefinitionAndDifferencesNameTheSettings() {
    ModelSpec a = ModelSpec.defaults(Family.CGAN);
    ModelSpec b = a.with(Map.of("generatorWidths", "64,32"));
    assertThat(a.sha256()).isEqualTo(ModelSpec.defaults(Family.CGAN).sha256()).hasSize(64);
    assertThat(b.sha256()).isNotEqualTo(a.sha256());
    assertThat(b.differences(a)).containsOnlyKeys("generatorWidths");
  }

  @Test
  void everySettingIsDocumented() {
    List<String[]> rows = ModelSpec.defaults(Family.CGAN).describe();
    assertThat(rows).extracting(row -> row[0]).containsExactlyElementsOf(ModelSpec.names());
    assertThat(rows).allSatisfy(row -> assertThat(row[2]).isNotBlank());
  }
  @Test
  void augmentationSettingsParseFromTextAndNameTheValidChoices() {
    ModelSpec spec = ModelSpec.defaults(Family.DCGAN).with(Map.of(
        "augment", "translation, cutout", "augmentProbability", "0.25", "r1Gamma", "10"));
    assertThat(spec.augment()).containsExactly(Augmentation.TRANSLATION, Augmentation.CUTOUT);
    assertThat(spec.adaptiveAugmentation()).isFalse();
    assertThat(spec.initialAugmentProbability()).isEqualTo(0.25f);
    ModelSpec none = spec.with(Map.of("augment", "none", "augmentProbability", "adaptive"));
    assertThat(none.augment()).isEmpty();
    assertThat(none.adaptiveAugmentation()).isTrue();
    assertThat(none.initialAugmentProbability()).isZero();
    assertThat(none.describe()).anySatisfy(row -> assertThat(row).startsWith("augment", "none"));
    assertThat(spec.describe())
        .anySatisfy(row -> assertThat(row).startsWith("augment", "translation,cutout"));

    assertThatThrownBy(() -> spec.with(Map.of("augment", "translation,rotate")))
        .hasMessage("augment must be one of translation, cutout, color, got 'rotate'");
    assertThatThrownBy(() -> spec.with(Map.of("augment", "cutout,cutout")))
        .hasMessage("augment must be each of translation, cutout, color at most once, or none, "
            + "got cutout,cutout");
    assertThatThrownBy(() -> spec.with(Map.of("augmentProbability", "1.5")))
        .hasMessage("augmentProbability must be a number in [0, 1] or adaptive, got 1.5");
    assertThatThrownBy(() -> spec.with(Map.of("adaTarget", "1")))
        .hasMessage("adaTarget must be (0, 1), got 1.0");
    assertThatThrownBy(() -> spec.with(Map.of("r1Every", "0")))
        .hasMessage("r1Every must be 1..1000, got 0");
  }

  @Test
  void specFilesTakeThePolicyAsAListOrAsText(@TempDir Path dir) throws Exception {
    Path text = dir.resolve("text.yaml");
    Files.writeString(text, "family: cgan\naugment: color,translation\naugmentProbability: 0.5\n");
    Path list = dir.resolve("list.yaml");
    Files.writeString(list, "augment: [color, translation]\naugmentProbability: '0.5'\n");
    assertThat(ModelSpec.read(text)).isEqualTo(ModelSpec.read(list));
    assertThat(ModelSpec.read(text).augment())
        .containsExactly(Augmentation.COLOR, Augmentation.TRANSLATION);
    Path json = dir.resolve("round.json");
    Files.writeString(json, ModelSpec.read(text).toJson());
    assertThat(ModelSpec.read(json)).isEqualTo(ModelSpec.read(text));
  }

  @Test
  void aSpecWrittenBeforeTheAugmentationSettingsReadsWithThemOff() throws Exception {
    ObjectNode tree = Json.MAPPER.valueToTree(ModelSpec.defaults(Family.CGAN));
    tree.remove(List.of("augment", "augmentProbability", "adaTarget", "adaImages", "r1Gamma",
        "r1Every"));
    ModelSpec old = Json.read(tree.toString(), ModelSpec.class); // as a checkpoint reads it
    assertThat(old.augment()).isEmpty();
    assertThat(old.r1Gamma()).isZero();
    assertThat(old.adaTarget()).isEqualTo(0.6f);
    assertThat(old.r1Every()).isEqualTo(1);
  }
}
