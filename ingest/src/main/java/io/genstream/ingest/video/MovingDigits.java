package io.genstream.ingest.video;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.VideoFrame;
import io.genstream.ingest.synthetic.DigitRenderer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import reactor.core.publisher.Flux;

/**
 * Synthetic video, the zero-setup source: {@code streams} clips of 1 to {@code maxDigits}
 * digits (glyphs of {@link DigitRenderer}) moving in straight lines at {@code speed} pixels a
 * frame and bouncing off the walls (the velocity component into the wall flips), white on black,
 * gray, in the manner of Moving MNIST. Overlapping digits combine by maximum.
 *
 * <p>Deterministic: the same options give the same frames (pixels; capture times are the clock's).
 * Each stream has its own generator derived from the seed and its number. The frame index is the
 * frame counter, from 0. A digit moves at least one pixel per frame, so that predicting the next
 * frame is learnable and copying the last one is measurably wrong.
 */
public final class MovingDigits implements FrameSource {

  /**
   * @param streams number of clips, each its own stream {@code digits-<i>}, 1..1024
   * @param size frame width and height, 32 (glyphs of 14 px) or 64 (glyphs of 28 px)
   * @param speed pixels per frame, 1 .. size/4
   * @param maxDigits digits per clip at most, 1..3 (each clip draws 1..maxDigits)
   * @param seed makes the frames reproducible
   * @param maxFrames frames per stream; 0 for endless
   * @param clipFrames start a new clip (new digits, positions, directions) in a stream every this
   *     many frames, a scene cut; 0 for one clip per stream, for ever
   */
  public record Options(int streams, int size, double speed, int maxDigits, long seed,
      long maxFrames, long clipFrames) {
    public Options {
      if (streams < 1 || streams > 1024) {
        throw new IllegalArgumentException("streams must be 1..1024, got " + streams);
      }
      if (size != 32 && size != 64) {
        throw new IllegalArgumentException("moving digits are 32 or 64 pixels, got " + size);
      }
      if (!(speed >= 1 && speed <= size / 4.0)) {
        throw new IllegalArgumentException("speed must be 1.." + size / 4 + " pixels per frame at size "
            + size + ", got " + speed);
      }
      if (maxDigits < 1 || maxDigits > 3) {
        throw new IllegalArgumentException("digits per clip must be 1..3, got " + maxDigits);
      }
      if (maxFrames < 0 || clipFrames < 0) {
        throw new IllegalArgumentException("maxFrames and clipFrames must be >= 0, got "
            + maxFrames + " and " + clipFrames);
      }
    }

    /** 8 endless streams of 32×32 frames, 2 px per frame, up to 2 digits. */
    public static Options defaults(long seed) {
      return new Options(8, 32, 2, 2, seed, 0, 0);
    }

    public Options withStreams(int n) {
      return new Options(n, size, speed, maxDigits, seed, maxFrames, clipFrames);
    }

    public Options withMaxFrames(long n) {
      return new Options(streams, size, speed, maxDigits, seed, n, clipFrames);
    }
  }

  private final Options options;
  private final Clock clock;

  public MovingDigits(Options options, Clock clock) {
    this.options = Objects.requireNonNull(options, "options");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public MovingDigits(Options options) {
    this(options, Clock.systemUTC());
  }

  public Options options() {
    return options;
  }

  @Override
  public String name() {
    return "moving-digits";
  }

  @Override
  public List<String> streams() {
    return IntStream.range(0, options.streams()).mapToObj(MovingDigits::streamId).toList();
  }

  static String streamId(int stream) {
    return "digits-" + stream;
  }

  @Override
  public boolean finite() {
    return options.maxFrames() > 0;
  }

  @Override
  public Flux<FrameItem> frames() {
    return videoFrames().map(frame -> new FrameItem.Frame(frame, name()));
  }

  /**
   * Frame 0 of every stream, then frame 1 of every stream, …; endless unless {@code maxFrames}.
   * Each subscription renders its own frames, synchronously on the subscriber's thread.
   */
  public Flux<VideoFrame> videoFrames() {
    Flux<VideoFrame> frames = Flux.generate(
        () -> new Rounds(new DigitRenderer(28), options),
        (rounds, sink) -> {
          int stream = rounds.stream;
          long index = rounds.round;
          Clip clip = rounds.clip(stream, index);
          byte[] png = Png.encode(clip.render());
          clip.step();
          sink.next(new VideoFrame(streamId(stream), index, clock.instant(), png));
          if (++rounds.stream == options.streams()) {
            rounds.stream = 0;
            rounds.round++;
          }
          return rounds;
        });
    return options.maxFrames() == 0 ? frames : frames.take(options.maxFrames() * options.streams());
  }

  /** The clips of one subscription and where it is. */
  private static final class Rounds {
    final DigitRenderer renderer;
    final Options options;
    final Clip[] clips;
    final SplittableRandom[] randoms;
    int stream;
    long round;

    Rounds(DigitRenderer renderer, Options options) {
      this.renderer = renderer;
      this.options = options;
      this.clips = new Clip[options.streams()];
      this.randoms = new SplittableRandom[options.streams()];
      for (int s = 0; s < clips.length; s++) {
        randoms[s] = random(options.seed(), s);
      }
    }

    Clip clip(int stream, long index) {
      boolean cut = options.clipFrames() > 0 && index % options.clipFrames() == 0;
      if (clips[stream] == null || cut) {
        clips[stream] = Clip.random(renderer, options, randoms[stream]);
      }
      return clips[stream];
    }
  }

  /** The generator of stream {@code s}: the seed and the stream number mixed (SplitMix64 style). */
  static SplittableRandom random(long seed, int stream) {
    long z = seed + 0x9E3779B97F4A7C15L * (stream + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return new SplittableRandom(z ^ (z >>> 31));
  }

  /** One digit of a clip: its glyph and where it is going. */
  static final class Sprite {
    final int digit;
    final GrayImage glyph;
    double x;
    double y;
    double vx;
    double vy;

    Sprite(int digit, GrayImage glyph, double x, double y, double vx, double vy) {
      this.digit = digit;
      this.glyph = glyph;
      this.x = x;
      this.y = y;
      this.vx = vx;
      this.vy = vy;
    }
  }

  /**
   * Digits bouncing in a frame; {@link #render} draws the current positions, {@link #step}
   * moves every digit one frame on. Package-private for tests, which look at positions.
   */
  static final class Clip {
    final int size;
    final List<Sprite> sprites;

    Clip(int size, List<Sprite> sprites) {
      this.size = size;
      this.sprites = sprites;
    }

    static Clip random(DigitRenderer renderer, Options options, SplittableRandom random) {
      int size = options.size();
      int count = 1 + random.nextInt(options.maxDigits());
      List<Sprite> sprites = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        int digit = random.nextInt(10);
        GrayImage glyph = glyph(renderer.render(digit, random), size);
        double room = size - glyph.width();
        double angle = random.nextDouble(0, 2 * Math.PI);
        double vx = options.speed() * Math.cos(angle);
        double vy = options.speed() * Math.sin(angle);
        // Neither axis slower than a third of the speed: a digit that drifts along a wall for
        // hundreds of frames teaches little.
        double min = options.speed() / 3;
        vx = Math.copySign(Math.max(Math.abs(vx), min), vx);
        vy = Math.copySign(Math.max(Math.abs(vy), min), vy);
        sprites.add(new Sprite(digit, glyph, random.nextDouble(0, room), random.nextDouble(0, room),
            vx, vy));
      }
      return new Clip(size, sprites);
    }

    /** The 28-pixel glyph as it appears in a frame: itself at 64, halved (2×2 mean) at 32. */
    private static GrayImage glyph(GrayImage rendered, int size) {
      if (size == 64) {
        return rendered;
      }
      int half = rendered.width() / 2;
      byte[] pixels = new byte[half * half];
      for (int y = 0; y < half; y++) {
        for (int x = 0; x < half; x++) {
          int sum = rendered.get(2 * x, 2 * y) + rendered.get(2 * x + 1, 2 * y)
              + rendered.get(2 * x, 2 * y + 1) + rendered.get(2 * x + 1, 2 * y + 1);
          pixels[y * half + x] = (byte) ((sum + 2) / 4);
        }
      }
      return new GrayImage(half, half, pixels);
    }

    GrayImage render() {
      byte[] frame = new byte[size * size];
      for (Sprite sprite : sprites) {
        int left = (int) Math.round(sprite.x);
        int top = (int) Math.round(sprite.y);
        int g = sprite.glyph.width();
        for (int y = 0; y < g; y++) {
          for (int x = 0; x < g; x++) {
            int at = (top + y) * size + left + x;
            frame[at] = (byte) Math.max(frame[at] & 0xFF, sprite.glyph.get(x, y));
          }
        }
      }
      return new GrayImage(size, size, frame);
    }

    /** One frame on: each digit moves by its velocity and is reflected at the walls. */
    void step() {
      for (Sprite sprite : sprites) {
        double room = size - sprite.glyph.width();
        sprite.x += sprite.vx;
        sprite.y += sprite.vy;
        if (sprite.x < 0 || sprite.x > room) {
          sprite.vx = -sprite.vx;
          sprite.x = sprite.x < 0 ? -sprite.x : 2 * room - sprite.x;
        }
        if (sprite.y < 0 || sprite.y > room) {
          sprite.vy = -sprite.vy;
          sprite.y = sprite.y < 0 ? -sprite.y : 2 * room - sprite.y;
        }
      }
    }
  }
}
