package io.genstream.core.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GenerationRequestTest {

  @Test
  void aLabelMayBeAClassNameThatTheModelResolves() {
    GenerationRequest request =
        GenerationRequest.parse(json("{\"model\":\"pets\",\"label\":\"cat\",\"count\":2}"));

    assertThat(request.labelName()).isEqualTo("cat");
    assertThat(request.label()).isNull();
    assertThat(GenerationRequest.parse(request.toJson())).isEqualTo(request);
    assertThat(request.withLabel(1).label()).isEqualTo(1);
    assertThat(request.withLabel(1).labelName()).isNull();
    ModelManifest pets = new ModelManifest("pets", 4, 3, "cgan", 1, 8, 8, 16, 3, null, null,
        null, 0, null, null, null, null, java.util.List.of("cat", "dog", ""));
    assertThat(pets.labelOf("dog")).isEqualTo(1);
    assertThatThrownBy(() -> pets.labelOf("zebra"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("model 'pets' version 4 has no label named 'zebra'; its labels are cat, dog");
    assertThatThrownBy(() -> pets.labelOf(""))
        .isInstanceOf(InvalidRequestException.class);
  }

  @Test
  void refusesALabelGivenBothAsANumberAndAsAName() {
    assertThatThrownBy(() -> GenerationRequest.parse(
        json("{\"model\":\"pets\",\"label\":\"cat\",\"labelName\":\"dog\"}")))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("not both");
    assertThatThrownBy(() -> GenerationRequest.parse(
        json("{\"model\":\"pets\",\"labels\":[0,1],\"labelName\":\"dog\",\"count\":2}")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("as a number or as a class name, not both");
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void parsesEveryField() {
    GenerationRequest request = GenerationRequest.parse(json(
        "{\"requestId\": \"r1\", \"model\": \"digits\", \"version\": \"3\", \"count\": 8,"
            + " \"seed\": 42, \"label\": 7}"));

    assertThat(request).isEqualTo(new GenerationRequest("r1", "digits", "3", 8, 42L, 7));
  }

  @Test
  void absentIdAndSeedTakeTheGivenDefaults() {
    GenerationRequest request =
        RequestParser.defaults().parse(json("{\"model\": \"digits\"}"), "requests-0@5", 99L);

    assertThat(request.requestId()).isEqualTo("requests-0@5");
    assertThat(request.seed()).isEqualTo(99L);
  }

  @Test
  void duplicateKeysAreAnErrorNotLastOneWins() {
    assertThatThrownBy(() -> GenerationRequest.parse(
        json("{\"model\": \"digits\", \"seed\": 1, \"seed\": 2}")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("duplicate key in request")
        .hasMessageContaining("'seed'");
  }

  @Test
  void requestOverMaxRequestBytesIsRefusedBeforeParsing() {
    RequestParser parser = new RequestParser(64, 32);
    byte[] big = json("{\"model\": \"digits\", \"requestId\": \"" + "x".repeat(100) + "\"}");

    assertThatThrownBy(() -> parser.parse(big, "id", 1))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("request of " + big.length + " bytes exceeds maxRequestBytes 64");
  }

  @Test
  void everyStringFieldIsLimitedByMaxStringLength() {
    RequestParser parser = new RequestParser(4096, 16);
    for (String field : new String[] {"requestId", "model", "version"}) {
      String request = "{\"model\": \"digits\", \"" + field + "\": \"" + "7".repeat(17) + "\"}";
      request = field.equals("model") ? "{\"model\": \"" + "m".repeat(17) + "\"}" : request;
      String body = request;
      assertThatThrownBy(() -> parser.parse(json(body), "id", 1))
          .as(field)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageContaining("maxStringLength 16");
    }
    // A long field name is refused the same way.
    assertThatThrownBy(() -> parser.parse(json("{\"" + "k".repeat(17) + "\": 1}"), "id", 1))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("maxStringLength 16");
  }

  @Test
  void deepNestingAndGiantNumbersAreRefused() {
    assertThatThrownBy(() -> GenerationRequest.parse(json("{\"model\":" + "[".repeat(50))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("exceeds a limit");
    assertThatThrownBy(() -> GenerationRequest.parse(
        json("{\"model\": \"digits\", \"seed\": " + "9".repeat(100) + "}")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("exceeds a limit");
  }

  @Test
  void limitsAreValidatedNamingTheValue() {
    assertThatThrownBy(() -> new RequestParser(0, 1))
        .hasMessage("maxRequestBytes must be 2..524288, got 0");
    assertThatThrownBy(() -> new RequestParser(100, 101))
        .hasMessage("maxStringLength must be 1..maxRequestBytes (100), got 101");
  }

  @Test
  void malformedJsonIsStillReportedAsSuch() {
    assertThatThrownBy(() -> GenerationRequest.parse(json("{\"model\": ")))
        .hasMessageStartingWith("malformed JSON");
  }
}
