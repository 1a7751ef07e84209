package io.genstream.generator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import io.genstream.core.config.Topics;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.kafka.TopicSetup;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.PublishedModel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Variations of an image through the real path: a VAE version and its encoder graph published on
 * the models topic as the trainer publishes them, requests on the requests topic, the
 * generator's registry, engine and ONNX Runtime, results and dead letters on their topics.
 */
class VariationsTest {

  private static final float SCALE = 1.5f;
  private static final int LABEL = 3;
  private static EmbeddedKafka kafka;
  private static KafkaSender<String, byte[]> sender;
  private static Topics topics;
  private static GeneratorService service;
  /** A 4x4 gray image with every level between 0 and 240. */
  private static final GrayImage IMAGE = image();

  @BeforeAll
  static void startBrokerAndService() {
    kafka = EmbeddedKafka.start();
    sender = KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()));
    topics = Topics.withPrefix("var.");
    TopicSetup.ensure(kafka.bootstrapServers(), topics, 1);
    PublishedModel vae = TinyVae.published(1, SCALE);
    send(TinyVae.encoderRecord(vae, SCALE, topics.models())); // the trainer's order
    send(vae.toRecord(topics.models(), "test"));
    send(TinyGenerator.published(1, 1f).toRecord(topics.models(), "test")); // a cgan: no encoder
    service = GeneratorService.create(GeneratorOptions.builder(kafka.bootstrapServers())
        .topics(topics).groupId("variations").build()).start();
    service.ready().block(Duration.ofSeconds(30));
  }

  @AfterAll
  static void stop() {
    service.close();
    sender.close();
    kafka.close();
  }

  @Test
  void variationsOfAnImageAreDecodedFromLatentsNearItsEncoding() {
    String png = Base64.getEncoder().encodeToString(Png.encode(IMAGE));
    request("still", png, 0f, 4, 1);
    request("spread-a", png, 0.5f, 3, 7);
    request("spread-b", png, 0.5f, 3, 7);
    request("spread-c", png, 0.5f, 3, 8);

    Map<String, List<GeneratedImage>> results = results(
        List.of("still", "spread-a", "spread-b", "spread-c"), 13);

    assertThat(results.keySet()).containsExactlyInAnyOrder("still", "spread-a", "spread-b", "spread-c");
    float[] pixels = IMAGE.toSymmetricUnit();
    float[] mean = TinyVae.mean(pixels, 0, LABEL, SCALE);
    // Spread 0: every latent is the encoder's mean, so count identical images, its decoding.
    GrayImage decodedMean = GrayImage.fromSymmetricUnit(
        TinyGenerator.reference(mean, 0, LABEL, SCALE), 0, 4, 4);
    List<GeneratedImage> still = results.get("still");
    assertThat(still).hasSize(4);
    for (GeneratedImage image : still) {
      assertThat(image.png()).isEqualTo(still.get(0).png());
      assertThat(image.label()).isEqualTo(LABEL);
      assertThat(image.version()).isEqualTo(1);
      assertPixelsNear(Png.decode(image.png()), decodedMean);
    }
    // Spread > 0: the latents of Conditioning.variations around that encoding; reproducible.
    List<GeneratedImage> a = results.get("spread-a");
    Conditioning expected = Conditioning.variations(parse(png, 0.5f, 3, 7),
        TinyVae.published(1, SCALE).manifest(), mean, TinyVae.logVar(pixels, 0));
    for (int i = 0; i < 3; i++) {
      assertPixelsNear(Png.decode(a.get(i).png()), GrayImage.fromSymmetricUnit(
          TinyGenerator.reference(expected.latents(), i * TinyGenerator.LATENT, LABEL, SCALE),
          0, 4, 4));
      assertThat(results.get("spread-b").get(i).png()).isEqualTo(a.get(i).png());
      assertThat(results.get("spread-c").get(i).png()).isNotEqualTo(a.get(i).png());
      assertThat(a.get(i).png()).isNotEqualTo(still.get(0).png());
    }
    assertThat(a.get(0).png()).isNotEqualTo(a.get(1).png());
  }

  @Test
  void requestsThatCannotBeVariedAreDeadLetteredWithTheReason() {
    String png = Base64.getEncoder().encodeToString(Png.encode(IMAGE));
    String large = Base64.getEncoder().encodeToString(Png.encode(new GrayImage(8, 6, new byte[48])));
    request("{\"requestId\": \"too-large\", \"model\": \"digits-vae\", \"image\": \"" + large
        + "\", \"label\": 3}");
    request("{\"requestId\": \"no-encoder\", \"model\": \"digits\", \"image\": \"" + png
        + "\", \"label\": 3}");
    request("{\"requestId\": \"no-label\", \"model\": \"digits-vae\", \"image\": \"" + png + "\"}");
    request("{\"requestId\": \"bad-label\", \"model\": \"digits-vae\", \"image\": \"" + png
        + "\", \"label\": 12}");
    request("{\"requestId\": \"fine\", \"model\": \"digits-vae\", \"image\": \"" + png
        + "\", \"label\": 3, \"count\": 2}");

    List<ConsumerRecord<String, byte[]>> deadLetters =
        TopicReader.read(kafka.bootstrapServers(), topics.deadLetter(), 4);
    Map<String, String> reasons = deadLetters.stream().collect(Collectors.toMap(
        r -> GenerationRequest.parse(r.value()).requestId(), DeadLetter::reason));

    assertThat(reasons).containsOnly(
        Map.entry("too-large", "image is 8x6, model 'digits-vae' version 1 takes 4x4"),
        Map.entry("no-encoder", "model 'digits' version 1 has no encoder graph (family cgan); "
            + "variations need a VAE"),
        Map.entry("no-label", "model 'digits-vae' version 1 is class-conditional: give the class "
            + "the image shows as label (0..9) to vary it"),
        Map.entry("bad-label", "label 12 out of range, valid labels are 0..9"));
    assertThat(results(List.of("fine"), 2).get("fine")).hasSize(2);
  }

  /**
   * The results of the requests {@code ids} (the tests share the results topic), by request and
   * index, once there are {@code count} of them.
   */
  private static Map<String, List<GeneratedImage>> results(List<String> ids, int count) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    List<GeneratedImage> ours;
    do {
      ours = TopicReader.read(kafka.bootstrapServers(), topics.results(), 0).stream()
          .map(GeneratedImage::fromRecord)
          .filter(image -> ids.contains(image.requestId()))
          .toList();
    } while (ours.size() < count && System.nanoTime() < deadline);
    return ours.stream().collect(Collectors.groupingBy(GeneratedImage::requestId,
        Collectors.collectingAndThen(Collectors.toList(), list -> list.stream()
            .sorted(Comparator.comparingInt(GeneratedImage::index)).toList())));
  }

  private static void assertPixelsNear(GrayImage actual, GrayImage expected) {
    for (int p = 0; p < TinyGenerator.PIXELS; p++) {
      // ONNX Runtime and the reference round the same float differently at most by one level.
      assertThat(actual.pixels()[p] & 0xFF).isCloseTo(expected.pixels()[p] & 0xFF, within(1));
    }
  }

  private static GrayImage image() {
    byte[] pixels = new byte[TinyGenerator.PIXELS];
    for (int p = 0; p < pixels.length; p++) {
      pixels[p] = (byte) (p * 16);
    }
    return new GrayImage(4, 4, pixels);
  }

  private static GenerationRequest parse(String png, float spread, int count, long seed) {
    return GenerationRequest.parse(json("x", png, spread, count, seed).getBytes(StandardCharsets.UTF_8));
  }

  private static String json(String id, String png, float spread, int count, long seed) {
    return "{\"requestId\": \"" + id + "\", \"model\": \"" + TinyVae.NAME + "\", \"image\": \""
        + png + "\", \"spread\": " + spread + ", \"count\": " + count + ", \"seed\": " + seed
        + ", \"label\": " + LABEL + "}";
  }

  private static void request(String id, String png, float spread, int count, long seed) {
    request(json(id, png, spread, count, seed));
  }

  private static void request(String json) {
    send(new ProducerRecord<>(topics.requests(), null, json.getBytes(StandardCharsets.UTF_8)));
  }

  private static void send(ProducerRecord<String, byte[]> record) {
    sender.send(record).block(Duration.ofSeconds(10));
  }
}
