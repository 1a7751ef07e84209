package io.genstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ClassBalancedReservoirTest {

  @Test
  void holdsAtMostItsCapacityHoweverLongTheStream() {
    ClassBalancedReservoir<Integer> reservoir = new ClassBalancedReservoir<>(100, 10, 1);
    for (int i = 0; i < 1_000_000; i++) {
      reservoir.offer(i % 10, i);
    }
    assertThat(reservoir.size()).isEqualTo(100);
    assertThat(reservoir.snapshot()).hasSize(100);
    for (int c = 0; c < 10; c++) {
      assertThat(reservoir.size(c)).isEqualTo(10);
      assertThat(reservoir.offered(c)).isEqualTo(100_000);
    }
  }

  @Test
  void aBurstOfOneClassDoesNotWashOutTheOthers() {
    ClassBalancedReservoir<Integer> reservoir = new ClassBalancedReservoir<>(1000, 10, 2);
    for (int i = 0; i < 1000; i++) {
      reservoir.offer(i % 10, i % 10);
    }
    for (int i = 0; i < 100_000; i++) {
      reservoir.offer(7, 7); // a burst of sevens, 100 times what each class had
    }
    Map<Integer, Long> drawn = reservoir.draw(10_000).stream()
        .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    assertThat(drawn).hasSize(10);
    // Each class is drawn about a tenth of the time (1000 ± 5 sigma), sevens included.
    drawn.values().forEach(count -> assertThat(count).isBetween(850L, 1150L));
    assertThat(reservoir.size(7)).isEqualTo(100);
  }

  @Test
  void keepsAUniformSampleOfItsClassesHistory() {
    // Algorithm R: every one of 10000 offers is kept with probability 100/10000. The mean of
    // what is kept is then near the stream's mean, not its end's (a ring would keep the last).
    double meanOfMeans = 0;
    for (int seed = 0; seed < 20; seed++) {
      ClassBalancedReservoir<Integer> reservoir = new ClassBalancedReservoir<>(100, 1, seed);
      for (int i = 0; i < 10_000; i++) {
        reservoir.offer(0, i);
      }
      meanOfMeans += reservoir.snapshot().stream().mapToInt(Integer::intValue).average()
          .orElseThrow() / 20;
    }
    assertThat(meanOfMeans).isBetween(4500.0, 5500.0);
  }

  @Test
  void theSameStreamAndSeedGiveTheSameContentsAndDraws() {
    List<Integer> first = fill(new ClassBalancedReservoir<>(50, 5, 9)).draw(200);
    List<Integer> second = fill(new ClassBalancedReservoir<>(50, 5, 9)).draw(200);
    List<Integer> other = fill(new ClassBalancedReservoir<>(50, 5, 10)).draw(200);
    assertThat(second).isEqualTo(first);
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void drawsOnlyFromClassesItHasSeen() {
    ClassBalancedReservoir<Integer> reservoir = new ClassBalancedReservoir<>(100, 10, 3);
    reservoir.offer(4, 4);
    assertThat(reservoir.draw(20)).containsOnly(4);
    assertThatThrownBy(() -> new ClassBalancedReservoir<Integer>(100, 10, 3).draw(1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> reservoir.offer(10, 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..9");
    assertThatThrownBy(() -> new ClassBalancedReservoir<Integer>(5, 10, 3))
        .hasMessageContaining("at least one per class");
  }

  private static ClassBalancedReservoir<Integer> fill(ClassBalancedReservoir<Integer> reservoir) {
    for (int i = 0; i < 5000; i++) {
      reservoir.offer(i % 5, i);
    }
    return reservoir;
  }
}
