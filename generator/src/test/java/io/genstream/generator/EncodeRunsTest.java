package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncodeRunsTest {

  @Test
  void runsCoverEveryImageOnceInOrderWithSizesWithinOne() {
    for (int images = 1; images <= 70; images++) {
      for (int threads = 1; threads <= 9; threads++) {
        EncodeRuns.Image[] all = new EncodeRuns.Image[images];
        for (int i = 0; i < images; i++) {
          all[i] = new EncodeRuns.Image(null, i);
        }
        List<EncodeRuns.Run> runs = EncodeRuns.split(all, threads);

        assertThat(runs).hasSize(Math.min(images, threads));
        List<Integer> visited = new ArrayList<>();
        runs.forEach(run -> run.forEach(image -> visited.add(image.index())));
        assertThat(visited).hasSize(images);
        for (int i = 0; i < images; i++) {
          assertThat(visited.get(i)).isEqualTo(i);
        }
        int smallest = runs.stream().mapToInt(EncodeRuns.Run::size).min().orElseThrow();
        int largest = runs.stream().mapToInt(EncodeRuns.Run::size).max().orElseThrow();
        assertThat(smallest).isGreaterThanOrEqualTo(1);
        assertThat(largest - smallest).isLessThanOrEqualTo(1);
      }
    }
  }

  @Test
  void refusesZeroThreads() {
    assertThatThrownBy(() -> EncodeRuns.split(new EncodeRuns.Image[1], 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
  }
}
