package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.trainer.gan.GanState;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerCheckpointTest {

  private static final TrainerCheckpoint CHECKPOINT = new TrainerCheckpoint("digits", 7, 4480,
      new GanState(70, parameters("fc.weight", 1.5f, -2f, 3e-7f), parameters("conv.bias", 9f)));

  @Test
  void bytesRoundTripEveryValue() {
    TrainerCheckpoint read = TrainerCheckpoint.fromBytes(CHECKPOINT.toBytes());

    assertThat(read.model()).isEqualTo("digits");
    assertThat(read.version()).isEqualTo(7);
    assertThat(read.imagesSeen()).isEqualTo(4480);
    assertThat(read.state().steps()).isEqualTo(70);
    assertThat(read.state().generator().get("fc.weight")).containsExactly(1.5f, -2f, 3e-7f);
    assertThat(read.state().discriminator().get("conv.bias")).containsExactly(9f);
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

  private static Map<String, float[]> parameters(String name, float... values) {
    Map<String, float[]> map = new LinkedHashMap<>();
    map.put(name, values);
    return map;
  }
}
