package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerCheckpointTest {

  private static final ModelSpec SPEC = ModelSpec.defaults(ModelSpec.Family.DCGAN)
      .with(Map.of("emaDecay", "0.999", "objective", "hinge"));
  private static final TrainerCheckpoint CHECKPOINT = new TrainerCheckpoint("digits", 7, 4480,
      new TrainingState(SPEC, 70, tensors(), Map.of("generator.optimizer", 70L)));

  @Test
  void bytesRoundTripEveryValue() {
    TrainerCheckpoint read = TrainerCheckpoint.fromBytes(CHECKPOINT.toBytes());

    assertThat(read.model()).isEqualTo("digits");
    assertThat(read.version()).isEqualTo(7);
    assertThat(read.imagesSeen()).isEqualTo(4480);
    assertThat(read.state().steps()).isEqualTo(70);
    assertThat(read.state().spec()).isEqualTo(SPEC);
    assertThat(read.state().counters()).containsEntry("generator.optimizer", 70L);
    assertThat(read.state().part("generator").get("fc.weight")).containsExactly(1.5f, -2f, 3e-7f);
    assertThat(read.state().part("generator.optimizer").get("m.fc.weight")).containsExactly(0.25f);
    assertThat(read.state().part("discriminator").get("conv.bias")).containsExactly(9f);
  }

  @Test
  void refusesForeignAndTruncatedBytes() {
    byte[] bytes = CHECKPOINT.toBytes();

    assertThatThrownBy(() -> TrainerCheckpoint.fromBytes("{\"not\":1}".getBytes()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a GenStream");
    assertThatThrownBy(() -> TrainerCheckpoint.fromBytes(Arrays.copyOf(bytes, bytes.length - 3)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrainerCheckpoint.fromBytes(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
  }

  private static Map<String, float[]> tensors() {
    Map<String, float[]> map = new LinkedHashMap<>();
    map.put("generator/fc.weight", new float[] {1.5f, -2f, 3e-7f});
    map.put("generator.optimizer/m.fc.weight", new float[] {0.25f});
    map.put("discriminator/conv.bias", new float[] {9f});
    return map;
  }
}
