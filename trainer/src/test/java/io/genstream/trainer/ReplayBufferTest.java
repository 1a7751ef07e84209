package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  @Test
  void holdsAtMostCapacityAndReplacesTheOldest() {
    ReplayBuffer<Integer> buffer = new ReplayBuffer<>(8, 1);
    for (int i = 0; i < 10_000; i++) {
      buffer.add(i);
      assertThat(buffer.size()).isLessThanOrEqualTo(8);
    }
    assertThat(buffer.added()).isEqualTo(10_000);
    // Only the newest 8 can be drawn.
    assertThat(new HashSet<>(buffer.draw(500))).allMatch(i -> i >= 9_992)
        .hasSize(8);
  }

  @Test
  void drawsTheSameExamplesForTheSameSeed() {
    ReplayBuffer<Integer> a = new ReplayBuffer<>(16, 7);
    ReplayBuffer<Integer> b = new ReplayBuffer<>(16, 7);
    for (int i = 0; i < 20; i++) {
      a.add(i);
      b.add(i);
    }
    List<Integer> drawn = a.draw(32);
    assertThat(b.draw(32)).isEqualTo(drawn);
    assertThat(drawn).hasSize(32);
  }

  @Test
  void refusesToDrawFromAnEmptyBufferAndABadCapacity() {
    assertThat(new ReplayBuffer<String>(2, 1).draw(0)).isEmpty();
    assertThatThrownBy(() -> new ReplayBuffer<String>(2, 1).draw(1))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> new ReplayBuffer<String>(0, 1))
        .hasMessage("replay capacity must be 1..1000000, got 0");
  }
}
