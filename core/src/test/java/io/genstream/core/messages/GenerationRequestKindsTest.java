package io.genstream.core.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.GenerationRequest.Format;
import io.genstream.core.messages.GenerationRequest.Interpolation;
import io.genstream.core.messages.GenerationRequest.Kind;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The request kinds and their fields: parsing, conflicts, limits and the JSON round trip. */
class GenerationRequestKindsTest {

  private static final byte[] PNG =
      Png.encode(new GrayImage(2, 2, new byte[] {0, 64, (byte) 128, -1}));
  private static final String PNG_BASE64 = Base64.getEncoder().encodeToString(PNG);

  private static GenerationRequest parse(String json) {
    return RequestParser.defaults().parse(json.getBytes(StandardCharsets.UTF_8), "id", 7L);
  }

  private static GenerationRequest roundTrip(GenerationRequest request) {
    return RequestParser.defaults().parse(request.toJson(), "other-id", 99L);
  }

  private static String withModel(String fields) {
    return "{\"model\": \"digits\", " + fields + "}";
  }

  // ---- seed requests: labels, truncation ----

  @Test
  void aPlainRequestIsASeedRequestForOnePngOnTheResultsTopic() {
    GenerationRequest request = parse("{\"model\": \"digits\"}");

    assertThat(request.kind()).isEqualTo(Kind.SEED);
    assertThat(request.count()).isEqualTo(1);
    assertThat(request.seed()).isEqualTo(7L);
    assertThat(request.format()).isEqualTo(Format.PNG);
    assertThat(request.replyTopic()).isNull();
    assertThat(request.labels()).isNull();
    assertThat(request.truncation()).isNull();
    assertThat(request.spread()).isNull();
  }

  @Test
  void labelsGiveOneLabelPerImageAndTheCountWhenItIsAbsent() {
    GenerationRequest request = parse(withModel("\"labels\": [3, 1, 4]"));

    assertThat(request.labels()).containsExactly(3, 1, 4);
    assertThat(request.count()).isEqualTo(3);
    assertThat(parse(withModel("\"labels\": [3, 1, 4], \"count\": 3"))).isEqualTo(request);
  }

  @Test
  void labelsMustMatchTheCount() {
    assertThatThrownBy(() -> parse(withModel("\"labels\": [3, 1, 4], \"count\": 4")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("labels has 3 labels but the request is for 4 images (count);"
            + " give one label per image");
  }

  @Test
  void labelAndLabelsTogetherAreAnError() {
    assertThatThrownBy(() -> parse(withModel("\"label\": 1, \"labels\": [1, 2]")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("give label (one for every image) or labels (one per image), not both");
  }

  @Test
  void labelsAreNonNegativeIntegers() {
    assertThatThrownBy(() -> parse(withModel("\"labels\": [1, -2]")))
        .hasMessage("labels[1] must be >= 0, got -2");
    assertThatThrownBy(() -> parse(withModel("\"labels\": [1, 2.5]")))
        .hasMessage("labels[1] must be an integer, got 2.5");
    assertThatThrownBy(() -> parse(withModel("\"labels\": 3")))
        .hasMessage("labels must be an array, got 3");
    assertThatThrownBy(() -> parse(withModel("\"labels\": []")))
        .hasMessage("labels has 0 labels, must have 1..256 images per request (MAX_COUNT)");
  }

  @Test
  void labelsLongerThanMaxCountAreRefusedBeforeReadingThem() {
    String labels = "0, ".repeat(GenerationRequest.MAX_COUNT) + "0";

    assertThatThrownBy(() -> parse(withModel("\"labels\": [" + labels + "]")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("labels has 257 labels, must have 1..256 images per request (MAX_COUNT)");
  }

  @Test
  void truncationIsAPositiveFloatForSeedRequests() {
    GenerationRequest request = parse(withModel("\"truncation\": 0.5, \"labels\": [1, 2]"));

    assertThat(request.truncation()).isEqualTo(0.5f);
    assertThat(request.kind()).isEqualTo(Kind.SEED);
    assertThatThrownBy(() -> parse(withModel("\"truncation\": 0")))
        .hasMessage("truncation must be a finite number >= 0.01, got 0.0");
    assertThatThrownBy(() -> parse(withModel("\"truncation\": \"big\"")))
        .hasMessage("truncation must be a number, got \"big\"");
    assertThatThrownBy(() -> parse(withModel("\"truncation\": 1e39")))
        .hasMessageStartingWith("truncation must be a finite float, got 1");
  }

  @Test
  void truncationDoesNotCombineWithOtherKindsAndSaysWhy() {
    assertThatThrownBy(() -> parse(withModel("\"truncation\": 0.5, \"latents\": [[1]]")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("truncation applies only to latents drawn from the seed; this request gives"
            + " its latents, which are used as they are");
    assertThatThrownBy(() -> parse(withModel(
        "\"truncation\": 0.5, \"interpolation\": {\"from\": 1, \"to\": 2, \"steps\": 3}")))
        .hasMessage("truncation applies only to latents drawn from the seed; an interpolation"
            + " must start and end at its seeds' latents");
    assertThatThrownBy(() -> parse(withModel(
        "\"truncation\": 0.5, \"image\": \"" + PNG_BASE64 + "\"")))
        .hasMessage("truncation applies only to latents drawn from the seed; variations' latents"
            + " come from the image's encoding");
  }

  // ---- explicit latents ----

  @Test
  void latentsAreReadAsTheyAreAndGiveTheCount() {
    GenerationRequest request = parse(withModel(
        "\"latents\": [[0.1, -1.5, 3e-3], [0, 2, -0.25]], \"labels\": [4, 5]"));

    assertThat(request.kind()).isEqualTo(Kind.LATENTS);
    assertThat(request.count()).isEqualTo(2);
    assertThat(request.latents()).isDeepEqualTo(
        new float[][] {{0.1f, -1.5f, 3e-3f}, {0f, 2f, -0.25f}});
    assertThat(request.labels()).containsExactly(4, 5);
  }

  @Test
  void latentsMustMatchTheCountAndHaveRowsOfOneLength() {
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[1, 2]], \"count\": 2")))
        .hasMessage("latents has 1 rows but the request is for 2 images (count);"
            + " give one latent row per image");
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[1, 2], [1, 2], [3]]")))
        .hasMessage("latents row 2 has 1 values but row 0 has 2;"
            + " every row is a latent of the model's latentDim");
  }

  @Test
  void latentsValuesAreFiniteNumbers() {
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[1, \"x\"]]")))
        .hasMessage("latents[0][1] must be a number, got \"x\"");
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[1], [1e39]]")))
        .hasMessage("latents[1][0] must be a finite float, got 1E+39, out of float's range");
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[1], [NaN]]")))
        .hasMessageStartingWith("malformed JSON");
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[1, [2]]]")))
        .hasMessage("latents[0][1] must be a number, got [2]");
    assertThatThrownBy(() -> new GenerationRequest("r", "digits", null, 1, 1, null, null, null,
        new float[][] {{1f, Float.NaN}}, null, null, null, null, null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("latents[0][1] must be a finite number, got NaN");
  }

  @Test
  void latentsArraysAreBoundedBeforeReadingThem() {
    String tooManyRows = "[0], ".repeat(GenerationRequest.MAX_COUNT) + "[0]";
    String tooLongRow = "0,".repeat(GenerationRequest.MAX_LATENT_DIM) + "0";

    assertThatThrownBy(() -> parse(withModel("\"latents\": [" + tooManyRows + "]")))
        .hasMessage("latents has 257 rows, must have 1..256 images per request (MAX_COUNT)");
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[0], [" + tooLongRow + "]]")))
        .hasMessage("latents row 1 has 4097 values, must have 1..4096 (MAX_LATENT_DIM)");
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[]]")))
        .hasMessage("latents row 0 has 0 values, must have 1..4096 (MAX_LATENT_DIM)");
    assertThatThrownBy(() -> parse(withModel("\"latents\": [[[[[[[[[0]]]]]]]]]")))
        .hasMessageContaining("exceeds a limit");
  }

  @Test
  void latentsAreCopiedInAndOut() {
    float[][] rows = {{1f, 2f}};
    GenerationRequest request = new GenerationRequest(
        "r", "digits", null, 1, 1, null, null, null, rows, null, null, null, null, null);

    rows[0][0] = 9f;
    request.latents()[0][1] = 9f;

    assertThat(request.latents()).isDeepEqualTo(new float[][] {{1f, 2f}});
  }

  // ---- interpolation ----

  @Test
  void interpolationGivesStepsImages() {
    GenerationRequest request = parse(withModel(
        "\"interpolation\": {\"from\": 1, \"to\": -2, \"steps\": 8}, \"label\": 3"));

    assertThat(request.kind()).isEqualTo(Kind.INTERPOLATION);
    assertThat(request.interpolation()).isEqualTo(new Interpolation(1, -2, 8));
    assertThat(request.count()).isEqualTo(8);
    assertThat(request.label()).isEqualTo(3);
  }

  @Test
  void interpolationFieldsAreEachChecked() {
    assertThatThrownBy(() -> parse(withModel(
        "\"interpolation\": {\"from\": 1, \"to\": 2, \"steps\": 8}, \"count\": 4")))
        .hasMessage("count 4 differs from interpolation.steps 8;"
            + " an interpolation gives one image per step");
    assertThatThrownBy(() -> parse(withModel(
        "\"interpolation\": {\"from\": 1, \"to\": 2, \"steps\": 1}")))
        .hasMessage("interpolation.steps must be 2..256, got 1");
    assertThatThrownBy(() -> parse(withModel(
        "\"interpolation\": {\"from\": 1, \"to\": 2, \"steps\": 257}")))
        .hasMessage("interpolation.steps must be 2..256, got 257");
    assertThatThrownBy(() -> parse(withModel("\"interpolation\": {\"from\": 1, \"steps\": 3}")))
        .hasMessage("interpolation.to is required");
    assertThatThrownBy(() -> parse(withModel(
        "\"interpolation\": {\"from\": 1, \"to\": 2, \"steps\": 3, \"via\": 4}")))
        .hasMessageStartingWith("unknown field 'interpolation.via', expected one of [");
    assertThatThrownBy(() -> parse(withModel(
        "\"interpolation\": {\"from\": 1.5, \"to\": 2, \"steps\": 3}")))
        .hasMessage("interpolation.from must be an integer, got 1.5");
    assertThatThrownBy(() -> parse(withModel("\"interpolation\": [1, 2, 3]")))
        .hasMessage("interpolation must be an object {\"from\": <seed>, \"to\": <seed>,"
            + " \"steps\": <n>}, got [1,2,3]");
  }

  // ---- variations of an image ----

  @Test
  void imageIsABase64PngWithASpreadOfOneByDefault() {
    GenerationRequest request = parse(withModel(
        "\"count\": 4, \"image\": \"" + PNG_BASE64 + "\", \"labels\": [1, 2, 3, 4]"));

    assertThat(request.kind()).isEqualTo(Kind.VARIATIONS);
    assertThat(request.image()).isEqualTo(PNG);
    assertThat(request.spread()).isEqualTo(1f);
    assertThat(parse(withModel("\"image\": \"" + PNG_BASE64 + "\", \"spread\": 0")).spread())
        .isEqualTo(0f);
  }

  @Test
  void imageMustBeBase64OfAPng() {
    assertThatThrownBy(() -> parse(withModel("\"image\": \"not base64!\"")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("image must be standard base64 (A-Z a-z 0-9 + /, '=' padding,"
            + " no line breaks) of PNG bytes: Illegal base64 character");
    String gif = Base64.getEncoder().encodeToString("GIF89a....".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> parse(withModel("\"image\": \"" + gif + "\"")))
        .hasMessage("image is not a PNG: it does not start with the PNG signature");
    assertThatThrownBy(() -> parse(withModel("\"image\": 12")))
        .hasMessage("image must be a base64 string of PNG bytes, got 12");
  }

  @Test
  void spreadIsAFiniteNonNegativeNumberForImagesOnly() {
    assertThatThrownBy(() -> parse(withModel("\"image\": \"" + PNG_BASE64 + "\", \"spread\": -1")))
        .hasMessage("spread must be a finite number >= 0, got -1.0");
    assertThatThrownBy(() -> parse(withModel("\"spread\": 0.5")))
        .hasMessage("spread applies only to variations of an image; this request gives no image");
  }

  @Test
  void anImageMayTakeTheWholeRequestWhileTextFieldsKeepMaxStringLength() {
    RequestParser parser = new RequestParser(4096, 16);
    byte[] bigPng = new byte[2000];
    System.arraycopy(PNG, 0, bigPng, 0, PNG.length);
    String image = Base64.getEncoder().encodeToString(bigPng);

    GenerationRequest request = parser.parse(
        withModel("\"image\": \"" + image + "\"").getBytes(StandardCharsets.UTF_8), "id", 1);

    assertThat(request.image()).isEqualTo(bigPng);
    for (String field : new String[] {"requestId", "replyTopic", "format"}) {
      byte[] json = withModel("\"" + field + "\": \"" + "a".repeat(17) + "\"")
          .getBytes(StandardCharsets.UTF_8);
      assertThatThrownBy(() -> parser.parse(json, "id", 1))
          .as(field)
          .hasMessage(field + " of 17 characters exceeds maxStringLength 16");
    }
  }

  // ---- kinds, format, version, replyTopic ----

  @Test
  void latentsInterpolationAndImageExcludeEachOther() {
    assertThatThrownBy(() -> parse(withModel(
        "\"latents\": [[1]], \"image\": \"" + PNG_BASE64 + "\"")))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("latents, interpolation and image are different kinds of request;"
            + " give at most one, got latents and image");
    assertThatThrownBy(() -> parse(withModel(
        "\"latents\": [[1], [2]], \"interpolation\": {\"from\": 1, \"to\": 2, \"steps\": 2}")))
        .hasMessage("latents, interpolation and image are different kinds of request;"
            + " give at most one, got latents and interpolation");
  }

  @Test
  void formatIsPngOrRaw() {
    assertThat(parse(withModel("\"format\": \"raw\"")).format()).isEqualTo(Format.RAW);
    assertThat(parse(withModel("\"format\": \"png\"")).format()).isEqualTo(Format.PNG);
    assertThatThrownBy(() -> parse(withModel("\"format\": \"jpeg\"")))
        .hasMessage("format must be 'png' or 'raw', got 'jpeg'");
    assertThatThrownBy(() -> parse(withModel("\"format\": \"RAW\"")))
        .hasMessage("format must be 'png' or 'raw', got 'RAW'");
  }

  @Test
  void versionIsLatestBestOrANumber() {
    assertThat(parse(withModel("\"version\": \"best\"")).version()).isEqualTo("best");
    assertThat(parse(withModel("\"version\": 12")).version()).isEqualTo("12");
    assertThatThrownBy(() -> parse(withModel("\"version\": \"newest\"")))
        .hasMessage("version must be 'latest', 'best' or a version number, got 'newest'");
  }

  @Test
  void replyTopicIsAKafkaTopicName() {
    assertThat(parse(withModel("\"replyTopic\": \"my-app.results_1\"")).replyTopic())
        .isEqualTo("my-app.results_1");
    for (String bad : new String[] {"..", ".", "a b", "topic/1", ""}) {
      assertThatThrownBy(() -> parse(withModel("\"replyTopic\": \"" + bad + "\"")))
          .as(bad)
          .isInstanceOf(InvalidRequestException.class)
          .hasMessage("replyTopic must be a Kafka topic name (1..249 of a-z A-Z 0-9 . _ -,"
              + " not '.' or '..'), got '" + bad + "'");
    }
    RequestParser roomy = new RequestParser(4096, 1000);
    byte[] tooLong = withModel("\"replyTopic\": \"" + "t".repeat(250) + "\"")
        .getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> roomy.parse(tooLong, "id", 1))
        .hasMessageStartingWith("replyTopic must be a Kafka topic name");
  }

  @Test
  void unknownFieldsNameTheExpectedOnes() {
    assertThatThrownBy(() -> parse(withModel("\"lables\": [1]")))
        .hasMessageStartingWith("unknown field 'lables', expected one of [")
        .hasMessageContaining("labels")
        .hasMessageContaining("interpolation");
  }

  @Test
  void rejectedValuesAreQuotedShort() {
    String huge = "x".repeat(10_000);

    assertThatThrownBy(() -> parse(withModel("\"count\": \"" + huge + "\"")))
        .hasMessage("count must be an integer, got \"" + "x".repeat(39)
            + "…(10002 characters)");
  }

  // ---- JSON round trip, equality ----

  @Test
  void everyKindRoundTripsThroughToJson() {
    float[][] latents = new float[3][5];
    Random random = new Random(1);
    for (float[] row : latents) {
      for (int j = 0; j < row.length; j++) {
        row[j] = (float) random.nextGaussian() * (float) Math.pow(10, random.nextInt(60) - 30);
      }
    }
    latents[0][0] = Float.MIN_VALUE;
    latents[0][1] = Float.MAX_VALUE;
    latents[0][2] = -0.1f;
    List<GenerationRequest> requests = List.of(
        new GenerationRequest("r1", "digits", "latest", 8, 42L, 7),
        new GenerationRequest("r2", "digits", "best", 3, -5L, null, List.of(1, 2, 3), 0.37f,
            null, null, null, null, Format.RAW, "replies"),
        new GenerationRequest("r3", "digits", "12", 3, 5L, null, List.of(0, 0, 9), null,
            latents, null, null, null, null, null),
        new GenerationRequest("r4", "digits", null, 6, 5L, 2, null, null, null,
            new Interpolation(Long.MIN_VALUE, Long.MAX_VALUE, 6), null, null, null, "x"),
        new GenerationRequest("r5", "faces", null, 2, 5L, null, null, null, null, null, PNG,
            0.123456789f, Format.PNG, null));

    for (GenerationRequest request : requests) {
      GenerationRequest read = roundTrip(request);
      assertThat(read).as(request.toString()).isEqualTo(request).hasSameHashCodeAs(request);
      assertThat(read.latents()).isDeepEqualTo(request.latents());
      assertThat(read.image()).isEqualTo(request.image());
    }
  }

  @Test
  void randomFloatsRoundTripExactly() {
    Random random = new Random(3);
    float[][] latents = new float[256][16];
    for (float[] row : latents) {
      for (int j = 0; j < row.length; j++) {
        row[j] = Float.intBitsToFloat(random.nextInt());
        if (!Float.isFinite(row[j])) {
          row[j] = 0.5f;
        }
      }
    }
    GenerationRequest request = new GenerationRequest("r", "digits", null, 256, 1, null, null,
        null, latents, null, null, null, null, null);
    RequestParser parser = new RequestParser(RequestParser.MAX_REQUEST_BYTES_LIMIT, 256);

    GenerationRequest read = parser.parse(request.toJson(), "x", 2);

    assertThat(read.latents()).isDeepEqualTo(latents);
  }

  @Test
  void jsonUsesLowerCaseFormatAndBase64Image() {
    GenerationRequest request = new GenerationRequest("r", "faces", null, 1, 5L, null, null, null,
        null, null, PNG, null, Format.RAW, null);

    String json = new String(request.toJson(), StandardCharsets.UTF_8);

    assertThat(json).contains("\"format\":\"raw\"").contains("\"image\":\"" + PNG_BASE64 + "\"")
        .contains("\"spread\":1.0").doesNotContain("kind").doesNotContain("truncation");
  }

  @Test
  void toStringShowsArraysBySize() {
    GenerationRequest request = new GenerationRequest("r", "faces", null, 1, 5L, null, null, null,
        null, null, PNG, 0.5f, null, null);

    assertThat(request.toString()).isEqualTo("GenerationRequest[requestId=r, model=faces,"
        + " version=latest, kind=VARIATIONS, count=1, seed=5, image=" + PNG.length
        + " bytes, spread=0.5, format=png]");
  }
}
