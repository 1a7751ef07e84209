package io.genstream.generator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a batch's images are shared among the encode threads: cut, in order, into at most one
 * contiguous run per thread, of sizes that differ by one at most (the images of one batch are
 * all the same size, so equal counts are equal work).
 */
final class EncodeRuns {

  /** Image {@code index} of {@code job}'s request. */
  record Image(EngineJob job, int index) {}

  /** {@code images[from..to)}; visited in order. */
  record Run(Image[] images, int from, int to) {
    void forEach(Consumer<Image> action) {
      for (int i = from; i < to; i++) {
        action.accept(images[i]);
      }
    }

    int size() {
      return to - from;
    }
  }

  private EncodeRuns() {}

  /**
   * @param threads encode threads, at least 1
   * @return {@code min(threads, images.length)} runs covering {@code images} in order, the
   *     longer ones first
   */
  static List<Run> split(Image[] images, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    }
    int runs = Math.min(threads, images.length);
    List<Run> result = new ArrayList<>(runs);
    int from = 0;
    for (int r = 0; r < runs; r++) {
      int size = images.length / runs + (r < images.length % runs ? 1 : 0);
      result.add(new Run(images, from, from + size));
      from += size;
    }
    return result;
  }
}
