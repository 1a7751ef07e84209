package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A shuffled order: a permutation per (seed, epoch), the same on every run, stable under removal. */
class OrderTest {

  private static final int[] GOLDEN = {8, 4, 3, 6, 0, 9, 1, 2, 7, 5};
  private static final List<String> FILES =
      IntStream.range(0, 200).mapToObj(i -> String.format("%d/%03d.png", i / 20, i)).toList();

  @Test
  void aShuffledEpochIsAPermutationOfTheListedItemsAndNotTheListedOrder() {
    List<String> shuffled = Order.shuffled(42).arrange(FILES, Function.identity(), 1);
    assertThat(shuffled).containsExactlyInAnyOrderElementsOf(FILES).isNotEqualTo(FILES);
    assertThat(Order.SORTED.arrange(FILES, Function.identity(), 1)).isEqualTo(FILES);
    assertThat(Order.parse("sorted", 42)).isEqualTo(Order.SORTED);
  }

  @Test
  void theSameSeedAndEpochGiveTheSameOrderAndAnotherEpochOrSeedAnother() {
    Order order = Order.shuffled(42);
    List<String> epoch1 = order.arrange(FILES, Function.identity(), 1);
    assertThat(Order.shuffled(42).arrange(new ArrayList<>(FILES), Function.identity(), 1))
        .isEqualTo(epoch1);
    assertThat(order.arrange(FILES, Function.identity(), 2)).isNotEqualTo(epoch1);
    assertThat(Order.shuffled(43).arrange(FILES, Function.identity(), 1)).isNotEqualTo(epoch1);
  }

  @Test
  void theOrderIsOfTheKeysNotOfTheListedPositions() {
    // What is left of an epoch (a ledger skipped the rest) keeps its relative order, so a rerun
    // goes on where the interrupted one stopped, even if files were added meanwhile.
    Order order = Order.shuffled(7);
    List<String> whole = order.arrange(FILES, Function.identity(), 3);
    List<String> rest = FILES.stream().filter(f -> !whole.subList(0, 50).contains(f)).toList();
    assertThat(order.arrange(rest, Function.identity(), 3)).isEqualTo(whole.subList(50, 200));
    List<String> more = new ArrayList<>(FILES);
    more.add("9/new.png");
    assertThat(order.arrange(more, Function.identity(), 3)).filteredOn(f -> !f.equals("9/new.png"))
        .isEqualTo(whole);
  }

  @Test
  void indicesArrangeAsAPermutationToo() {
    int[] shuffled = Order.shuffled(1).arrange(1000, 5);
    int[] sorted = Order.SORTED.arrange(1000, 5);
    assertThat(sorted).isEqualTo(IntStream.range(0, 1000).toArray());
    assertThat(shuffled).isNotEqualTo(sorted);
    int[] copy = shuffled.clone();
    Arrays.sort(copy);
    assertThat(copy).isEqualTo(sorted);
    assertThat(Order.shuffled(1).arrange(1000, 5)).isEqualTo(shuffled);
    assertThat(Order.shuffled(1).arrange(1000, 6)).isNotEqualTo(shuffled);
    // Fixed across JVMs and releases: our own hash, not the JDK's generators. A change here
    // changes every user's order (and a resumed ingest's), so it must be deliberate.
    assertThat(Order.shuffled(1).arrange(10, 1)).containsExactly(GOLDEN);
    assertThat(Order.shuffled(1).arrange(List.of("a.png", "b.png", "c.png", "d.png", "e.png"),
        Function.identity(), 1)).containsExactly("d.png", "a.png", "e.png", "b.png", "c.png");
  }

  @Test
  void theFirstPositionsOfAShuffledEpochMixTheListedGroups() {
    // 10 groups of 20, listed group after group: a shuffled epoch's first 40 hold most groups.
    for (long epoch = 1; epoch <= 5; epoch++) {
      List<String> first = Order.shuffled(1).arrange(FILES, Function.identity(), epoch).subList(0, 40);
      assertThat(first.stream().map(f -> f.substring(0, f.indexOf('/'))).distinct().count())
          .as("groups among the first 40 of epoch %d", epoch).isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void refusesAnUnknownOrderAndAnEpochBeforeTheFirst() {
    assertThatThrownBy(() -> Order.parse("random", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("order must be one of [shuffled, sorted], got 'random'");
    assertThatThrownBy(() -> Order.shuffled(1).arrange(3, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("epoch must be >= 1");
    assertThat(Order.shuffled(42).describe(3)).isEqualTo("shuffled order (seed 42), epoch 3");
    assertThat(Order.SORTED.describe(1)).isEqualTo("sorted order, epoch 1");
  }
}
