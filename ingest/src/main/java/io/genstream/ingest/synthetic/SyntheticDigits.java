package io.genstream.ingest.synthetic;

import io.genstream.core.image.Png;
import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.ImageSource;
import io.genstream.ingest.SourceItem;
import java.util.SplittableRandom;
import reactor.core.publisher.Flux;

/**
 * An endless, reproducible stream of labelled digit images rendered by {@link DigitRenderer}:
 * labels cycle through a shuffled 0–9 so every class is equally frequent, styles come from a
 * seeded generator, so the same seed gives the same stream.
 */
public final class SyntheticDigits implements ImageSource {

  private final int size;
  private final long seed;

  /**
   * @param size 28 or 32
   * @param seed makes the stream reproducible
   */
  public SyntheticDigits(int size, long seed) {
    new DigitRenderer(size); // validates size early, where the caller can see it
    this.size = size;
    this.seed = seed;
  }

  @Override
  public String name() {
    return "synthetic-digits";
  }

  /** Endless; each subscription renders its own stream, synchronously on the subscriber's thread. */
  @Override
  public Flux<SourceItem> items() {
    return images().map(image -> new SourceItem.Image(image, name()));
  }

  /** The same stream as plain images. */
  public Flux<LabelledImage> images() {
    return Flux.generate(
        () -> new State(new DigitRenderer(size), new SplittableRandom(seed)),
        (state, sink) -> {
          int label = state.nextLabel();
          byte[] png = Png.encode(state.renderer.render(label, state.random));
          sink.next(new LabelledImage(name(), label, png));
          return state;
        });
  }

  /** Renderer and generators of one subscription. */
  private static final class State {
    final DigitRenderer renderer;
    final SplittableRandom random;
    final int[] order = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    int position = order.length;

    State(DigitRenderer renderer, SplittableRandom random) {
      this.renderer = renderer;
      this.random = random;
    }

    int nextLabel() {
      if (position == order.length) {
        for (int i = order.length - 1; i > 0; i--) { // Fisher–Yates
          int j = random.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        position = 0;
      }
      return order[position++];
    }
  }
}
