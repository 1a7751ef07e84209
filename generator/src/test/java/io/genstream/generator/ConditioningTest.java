package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.offset;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.GenerationRequest.Interpolation;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConditioningTest {

  private final ModelManifest manifest = TinyGenerator.published(1, 1f).manifest();
  private static final byte[] PNG = Png.encode(new GrayImage(1, 1, new byte[] {1}));

  /** A manifest of another shape: no image graph is needed to condition it. */
  private static ModelManifest manifest(String name, int latentDim, int numClasses) {
    return new ModelManifest(name, 3, 2, "cgan", 1, 4, 4, latentDim, numClasses,
        Map.of(), Map.of(), "0", 0L, Map.of());
  }

  @Test
  void aClassNameMeansTheLabelTheVersionsDataGaveIt() {
    ModelManifest pets = new ModelManifest("pets", 3, 2, "cgan", 1, 4, 4, 8, 3, Map.of(),
        Map.of(), "0", 0L, Map.of(), null, null, null, List.of("cat", "dog", "emu"));
    GenerationRequest byName = new GenerationRequest("r", "pets", null, 2, 5, null, null, null,
        null, null, null, null, null, null, "dog");

    Conditioning named = Conditioning.of(byName, pets);

    assertThat(named.labels()).containsExactly(1, 1);
    assertThat(named.latents()).isEqualTo(Conditioning.of(byName.withLabel(1), pets).latents());
    GenerationRequest unknown = new GenerationRequest("r", "pets", null, 1, 5, null, null, null,
        null, null, null, null, null, null, "yak");
    assertThatThrownBy(() -> Conditioning.of(unknown, pets))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("no label named 'yak'; its labels are cat, dog, emu");
  }

  private static GenerationRequest seedRequest(
      long seed, int count, Integer label, List<Integer> labels, Float truncation) {
    return new GenerationRequest("r", "digits", null, count, seed, label, labels, truncation,
        null, null, null, null, null, null);
  }

  private static GenerationRequest latentsRequest(float[][] latents, List<Integer> labels) {
    return new GenerationRequest("r", "digits", null, latents.length, 11, null, labels, null,
        latents, null, null, null, null, null);
  }

  private static GenerationRequest interpolation(long from, long to, int steps, Integer label) {
    return new GenerationRequest("r", "digits", null, steps, 11, label, null, null, null,
        new Interpolation(from, to, steps), null, null, null, null);
  }

  private static GenerationRequest variations(int count, float spread, List<Integer> labels) {
    return new GenerationRequest("r", "digits", null, count, 13, null, labels, null, null, null,
        PNG, spread, null, null);
  }

  private static float[] row(float[] latents, int i, int dim) {
    return Arrays.copyOfRange(latents, i * dim, (i + 1) * dim);
  }

  private static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    return Math.sqrt(sum);
  }

  @Test
  void latentsAreSuccessiveGaussiansOfTheSeededJdkRandom() {
    Conditioning c = Conditioning.fromSeed(42, 3, manifest, 7);

    Random expected = new Random(42);
    for (int i = 0; i < 3 * TinyGenerator.LATENT; i++) {
      assertThat(c.latents()[i]).isEqualTo((float) expected.nextGaussian());
    }
    assertThat(c.labels()).containsExactly(7, 7, 7);
  }

  @Test
  void imageLatentDependsOnlyOnSeedAndIndex() {
    Conditioning three = Conditioning.fromSeed(5, 3, manifest, null);
    Conditioning five = Conditioning.fromSeed(5, 5, manifest, 2);

    assertThat(Arrays.copyOf(five.latents(), 3 * TinyGenerator.LATENT)).isEqualTo(three.latents());
  }

  @Test
  void labelsWithoutARequestLabelAreDrawnAfterTheLatents() {
    Conditioning c = Conditioning.fromSeed(9, 4, manifest, null);

    Random expected = new Random(9);
    for (int i = 0; i < 4 * TinyGenerator.LATENT; i++) {
      expected.nextGaussian();
    }
    for (int i = 0; i < 4; i++) {
      assertThat(c.labels()[i]).isEqualTo(expected.nextInt(TinyGenerator.CLASSES));
    }
    assertThat(Conditioning.fromSeed(9, 4, manifest, null).labels()).isEqualTo(c.labels());
  }

  @Test
  void rejectsLabelsTheModelDoesNotHave() {
    assertThatThrownBy(() -> Conditioning.fromSeed(1, 1, manifest, 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("label 10 out of range for model 'digits' version 1, valid labels are 0..9");
  }

  @Test
  void requestsWithoutSeedOrIdTakeThemFromTheRecordsPlace() {
    assertThat(Conditioning.requestIdFor("genstream.requests", 0, 42))
        .isEqualTo("genstream.requests-0@42");
    // SHA-256("genstream.requests-0@42"), first 8 bytes big-endian, sign bit cleared: pinned, since
    // changing the rule changes every result of such requests.
    assertThat(Conditioning.seedFor("genstream.requests", 0, 42)).isEqualTo(4168085109032147784L);
    assertThat(Conditioning.seedFor("genstream.requests", 0, 43))
        .isNotEqualTo(Conditioning.seedFor("genstream.requests", 0, 42))
        .isNotNegative();
    assertThat(Conditioning.seedFor("genstream.requests", 1, 42))
        .isNotEqualTo(Conditioning.seedFor("genstream.requests", 0, 42));
  }

  // ---- seed requests through of() ----

  @Test
  void aSeedRequestGivesWhatFromSeedGave() {
    for (Integer label : new Integer[] {null, 3}) {
      Conditioning expected = Conditioning.fromSeed(77, 5, manifest, label);
      Conditioning c = Conditioning.of(seedRequest(77, 5, label, null, null), manifest);

      assertThat(c.count()).isEqualTo(5);
      assertThat(c.latents()).isEqualTo(expected.latents());
      assertThat(c.labels()).isEqualTo(expected.labels());
    }
  }

  @Test
  void labelsGiveEachImageItsLabelAndLeaveTheLatentsAlone() {
    Conditioning c = Conditioning.of(seedRequest(5, 3, null, List.of(9, 0, 4), null), manifest);

    assertThat(c.labels()).containsExactly(9, 0, 4);
    assertThat(c.latents()).isEqualTo(Conditioning.fromSeed(5, 3, manifest, null).latents());
  }

  @Test
  void labelsTheModelDoesNotHaveAreNamedWithTheirPlace() {
    assertThatThrownBy(() -> Conditioning.of(seedRequest(5, 3, null, List.of(9, 10, 4), null),
        manifest))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("labels[1] = 10 out of range for model 'digits' version 1,"
            + " valid labels are 0..9");
    ModelManifest unconditional = manifest("noise", TinyGenerator.LATENT, 0);
    assertThatThrownBy(() -> Conditioning.of(seedRequest(5, 2, null, List.of(1, 2), null),
        unconditional))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("model 'noise' version 3 is unconditional and takes no label,"
            + " got labels [1, 2]");
    assertThatThrownBy(() -> Conditioning.of(seedRequest(5, 2, 1, null, null), unconditional))
        .hasMessage("model 'noise' version 3 is unconditional and takes no label, got label 1");
    assertThat(Conditioning.of(seedRequest(5, 2, null, null, null), unconditional).labels())
        .containsExactly(-1, -1);
  }

  @Test
  void truncationRedrawsEveryComponentAboveItFromTheSameRandomAfterTheLatents() {
    ModelManifest wide = manifest("wide", 64, 10);
    float t = 0.5f;
    Conditioning c = Conditioning.of(seedRequest(21, 8, null, null, t), wide);

    // The rule, written out: all latents first, then redraws in row-major order, then labels.
    Random expected = new Random(21);
    float[] latents = new float[8 * 64];
    for (int i = 0; i < latents.length; i++) {
      latents[i] = (float) expected.nextGaussian();
    }
    int redrawn = 0;
    for (int i = 0; i < latents.length; i++) {
      while (Math.abs(latents[i]) > t) {
        latents[i] = (float) expected.nextGaussian();
        redrawn++;
      }
    }
    assertThat(redrawn).isGreaterThan(latents.length / 2); // P(|z| > 0.5) ≈ 0.62
    assertThat(c.latents()).isEqualTo(latents);
    for (int i = 0; i < 8; i++) {
      assertThat(c.labels()[i]).isEqualTo(expected.nextInt(10));
    }
    for (float z : c.latents()) {
      assertThat(Math.abs(z)).isLessThanOrEqualTo(t);
    }
    Conditioning again = Conditioning.of(seedRequest(21, 8, null, null, t), wide);
    assertThat(again.latents()).isEqualTo(c.latents());
    assertThat(again.labels()).isEqualTo(c.labels());
  }

  @Test
  void truncationKeepsComponentsAlreadyInside() {
    ModelManifest wide = manifest("wide", 64, 10);
    float[] plain = Conditioning.fromSeed(4, 2, wide, 1).latents();
    float[] truncated = Conditioning.of(seedRequest(4, 2, 1, null, 1.5f), wide).latents();

    for (int i = 0; i < plain.length; i++) {
      if (Math.abs(plain[i]) <= 1.5f) {
        assertThat(truncated[i]).isEqualTo(plain[i]);
      } else {
        assertThat(truncated[i]).isNotEqualTo(plain[i]);
        assertThat(Math.abs(truncated[i])).isLessThanOrEqualTo(1.5f);
      }
    }
  }

  // ---- explicit latents ----

  @Test
  void explicitLatentsPassThroughRowMajor() {
    float[][] rows = {{0.1f, 0.2f, 0.3f, 0.4f}, {-1f, -2f, -3f, -4f}};
    Conditioning c = Conditioning.of(latentsRequest(rows, List.of(2, 8)), manifest);

    assertThat(c.count()).isEqualTo(2);
    assertThat(c.latents()).containsExactly(0.1f, 0.2f, 0.3f, 0.4f, -1f, -2f, -3f, -4f);
    assertThat(c.labels()).containsExactly(2, 8);
  }

  @Test
  void explicitLatentsWithoutLabelsDrawThemFromTheRequestSeed() {
    float[][] rows = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}};
    Conditioning c = Conditioning.of(latentsRequest(rows, null), manifest);

    Random expected = new Random(11);
    for (int i = 0; i < 3; i++) {
      assertThat(c.labels()[i]).isEqualTo(expected.nextInt(TinyGenerator.CLASSES));
    }
  }

  @Test
  void explicitLatentsOfTheWrongLengthNameTheRowAndTheModel() {
    ModelManifest model = manifest("digits", 32, 10);
    float[][] rows = new float[3][16];

    assertThatThrownBy(() -> Conditioning.of(latentsRequest(rows, null), model))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("latents row 0 has 16 values, model 'digits' version 3 takes latentDim 32");
  }

  // ---- interpolation ----

  @Test
  void interpolationStartsAndEndsExactlyAtTheSeedsLatents() {
    ModelManifest wide = manifest("wide", 128, 10);
    Conditioning c = Conditioning.of(interpolation(3, 4, 9, 5), wide);

    assertThat(c.count()).isEqualTo(9);
    assertThat(row(c.latents(), 0, 128))
        .isEqualTo(row(Conditioning.fromSeed(3, 1, wide, 5).latents(), 0, 128));
    assertThat(row(c.latents(), 8, 128))
        .isEqualTo(row(Conditioning.fromSeed(4, 1, wide, 5).latents(), 0, 128));
    assertThat(c.labels()).containsOnly(5).hasSize(9);
  }

  @Test
  void interpolationIsSphericalSoNormsStayNearTheEndpointsNorms() {
    int dim = 512;
    ModelManifest wide = manifest("wide", dim, 10);
    Conditioning c = Conditioning.of(interpolation(3, 4, 5, null), wide);
    float[] from = row(c.latents(), 0, dim);
    float[] to = row(c.latents(), 4, dim);
    double low = Math.min(norm(from), norm(to));
    double high = Math.max(norm(from), norm(to));

    for (int i = 1; i < 4; i++) {
      // Two random 512-d latents are nearly orthogonal: a straight line's midpoint would have
      // ~0.71 of their norm; the slerp stays within a few percent of theirs.
      assertThat(norm(row(c.latents(), i, dim))).isBetween(0.97 * low, 1.03 * high);
    }
    // Each step lies between the ends, on their great circle, a growing angle away from the start.
    double previous = 0;
    for (int i = 1; i < 5; i++) {
      float[] step = row(c.latents(), i, dim);
      assertThat(angle(step, from) + angle(step, to)).isCloseTo(angle(from, to), offset(1e-4));
      assertThat(angle(step, from)).isGreaterThan(previous);
      previous = angle(step, from);
    }
  }

  @Test
  void interpolationBetweenOneSeedAndItselfIsThatLatentEveryStep() {
    Conditioning c = Conditioning.of(interpolation(8, 8, 4, 1), manifest);
    float[] start = row(c.latents(), 0, TinyGenerator.LATENT);

    for (int i = 1; i < 4; i++) {
      assertThat(row(c.latents(), i, TinyGenerator.LATENT))
          .containsExactly(start, offset(1e-6f));
    }
  }

  @Test
  void interpolationWithoutLabelsDrawsThemFromTheRequestSeedAndIsReproducible() {
    Conditioning c = Conditioning.of(interpolation(1, 2, 6, null), manifest);

    Random expected = new Random(11);
    for (int i = 0; i < 6; i++) {
      assertThat(c.labels()[i]).isEqualTo(expected.nextInt(TinyGenerator.CLASSES));
    }
    Conditioning again = Conditioning.of(interpolation(1, 2, 6, null), manifest);
    assertThat(again.latents()).isEqualTo(c.latents());
    assertThat(again.labels()).isEqualTo(c.labels());
  }

  // ---- variations ----

  @Test
  void variationsAreTheMeanPlusSpreadTimesStdTimesSeededGaussians() {
    float[] mean = {0.5f, -1f, 0f, 2f};
    float[] logVar = {0f, (float) Math.log(4), -2f, 1f};
    Conditioning c = Conditioning.variations(variations(3, 0.5f, null), manifest, mean, logVar);

    Random expected = new Random(13);
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 4; j++) {
        double z = mean[j] + 0.5 * Math.exp(0.5 * logVar[j]) * expected.nextGaussian();
        assertThat(c.latents()[i * 4 + j]).isEqualTo((float) z);
      }
    }
    for (int i = 0; i < 3; i++) {
      assertThat(c.labels()[i]).isEqualTo(expected.nextInt(TinyGenerator.CLASSES));
    }
  }

  @Test
  void variationsOfTheStandardNormalAreTheSeedLatents() {
    float[] zero = new float[TinyGenerator.LATENT];
    Conditioning c = Conditioning.variations(variations(4, 1f, null), manifest, zero, zero);
    Conditioning seeded = Conditioning.fromSeed(13, 4, manifest, null);

    assertThat(c.latents()).isEqualTo(seeded.latents());
    assertThat(c.labels()).isEqualTo(seeded.labels());
  }

  @Test
  void variationsWithoutSpreadAreAllTheMeanWithTheGivenLabels() {
    float[] mean = {0.5f, -1f, 0f, 2f};
    Conditioning c = Conditioning.variations(
        variations(2, 0f, List.of(3, 4)), manifest, mean, new float[] {1, 1, 1, 1});

    assertThat(c.latents()).containsExactly(0.5f, -1f, 0f, 2f, 0.5f, -1f, 0f, 2f);
    assertThat(c.labels()).containsExactly(3, 4);
  }

  @Test
  void variationsCheckTheKindAndTheEncoding() {
    float[] four = new float[4];
    assertThatThrownBy(() -> Conditioning.of(variations(2, 1f, null), manifest))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("request r asks for variations of an image: encode it and call"
            + " Conditioning.variations");
    assertThatThrownBy(() -> Conditioning.variations(
        seedRequest(1, 1, null, null, null), manifest, four, four))
        .hasMessage("variations takes a request with an image, got a SEED request");
    assertThatThrownBy(() -> Conditioning.variations(
        variations(2, 1f, null), manifest, new float[3], four))
        .hasMessage("the encoder's mean has 3 values, model 'digits' version 1 takes latentDim 4");
    assertThatThrownBy(() -> Conditioning.variations(
        variations(2, 1f, null), manifest, four, new float[] {0, Float.NaN, 0, 0}))
        .hasMessage("the encoder's logVar[1] is NaN, not finite");
    assertThatThrownBy(() -> Conditioning.variations(
        variations(1, 3e38f, null), manifest, four, new float[] {80, 80, 80, 80}))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("variation 0 overflows float at component 0");
  }

  private static double angle(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
    }
    return Math.acos(Math.min(1, Math.max(-1, dot / (norm(a) * norm(b)))));
  }
}
