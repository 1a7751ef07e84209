package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.messages.ModelManifest;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConditioningTest {

  private final ModelManifest manifest = TinyGenerator.published(1, 1f).manifest();

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
}
