package io.genstream.core.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

class CloudEventsTest {

  @Test
  void eventTimesAreExactlyInstantToString() {
    Random random = new Random(11);
    List<Instant> instants = new ArrayList<>(List.of(Instant.EPOCH, Instant.ofEpochSecond(-1),
        Instant.ofEpochSecond(-62_135_596_800L), Instant.ofEpochSecond(253_402_300_800L),
        Instant.ofEpochSecond(1_700_000_000L, 1), Instant.ofEpochSecond(1_700_000_000L, 999_999_999),
        Instant.MIN, Instant.MAX, Instant.now()));
    int[] nanos = {0, 1, 10, 100, 1_000, 120_000, 123_456, 1_000_000, 5_000_000, 100_000_000,
        120_000_000, 123_456_789, 999_000_000};
    for (int i = 0; i < 2_000; i++) {
      long second = random.nextLong() % 400_000_000_000L;
      int nano = i % 2 == 0 ? nanos[random.nextInt(nanos.length)] : random.nextInt(1_000_000_000);
      instants.add(Instant.ofEpochSecond(second, nano));
      // Same second, another fraction: the cached second must be reused correctly.
      instants.add(Instant.ofEpochSecond(second, nanos[random.nextInt(nanos.length)]));
    }
    for (Instant instant : instants) {
      assertThat(EventTimes.format(instant)).as("%s", instant).isEqualTo(instant.toString());
    }
  }

  @Test
  void eventIdsAreVersion4UuidsThatDoNotRepeat() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = EventIds.next();
      UUID uuid = UUID.fromString(id);
      assertThat(uuid.version()).isEqualTo(4);
      assertThat(uuid.variant()).isEqualTo(2);
      assertThat(uuid.toString()).isEqualTo(id);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
    // The counter wraps inside the 62 random bits without touching the variant bits.
    UUID base = new UUID(0x1234_5678_9abc_4defL, -1L);
    UUID wrapped = EventIds.next(base, 1);
    assertThat(wrapped.variant()).isEqualTo(2);
    assertThat(wrapped.getMostSignificantBits()).isEqualTo(base.getMostSignificantBits());
    assertThat(wrapped).isNotEqualTo(EventIds.next(base, 0)).isNotEqualTo(EventIds.next(base, 2));
  }

  @Test
  void attributeNamesAreLowerCaseLettersAndDigitsAsTheRegexSaid() {
    Pattern rule = Pattern.compile("[a-z0-9]+");
    for (String name : List.of("", "a", "z", "0", "9", "requestid", "modelversion2", "A",
        "requestId", "ce_id", "a-b", "a b", "é", "a\u0660", "`", "{", "/", ":", "frame")) {
      assertThat(CloudEvents.isAttributeName(name)).as("'%s'", name)
          .isEqualTo(rule.matcher(name).matches());
    }
  }

  @Test
  void resultRecordHasTheHeadersTheCheckedPathWrites() {
    GeneratedImage image = new GeneratedImage("r-1", "digits", 3, 42, 1, 2, 7,
        new byte[] {1, 2, 3}, GeneratedImage.RAW_CONTENT_TYPE, "1,1,3", "cpu");
    ProducerRecord<String, byte[]> record = image.toRecord("results", "genstream-generator");

    // What toRecord wrote before it added the extensions directly.
    Headers expected = CloudEvents.headers(
        CloudEvents.TYPE_RESULT, "genstream-generator", GeneratedImage.RAW_CONTENT_TYPE);
    CloudEvents.header(expected, "requestid", "r-1");
    CloudEvents.header(expected, "model", "digits");
    CloudEvents.header(expected, "modelversion", 3L);
    CloudEvents.header(expected, "seed", 42L);
    CloudEvents.header(expected, "index", 1);
    CloudEvents.header(expected, "count", 2);
    CloudEvents.header(expected, "label", 7);
    CloudEvents.header(expected, "shape", "1,1,3");
    CloudEvents.header(expected, "dtype", "uint8");
    CloudEvents.header(expected, "provider", "cpu");
    assertThat(texts(record.headers())).hasSize(16);
    List<String> got = texts(record.headers());
    List<String> want = texts(expected);
    for (int i = 0; i < want.size(); i++) {
      if (want.get(i).startsWith("ce_id=") || want.get(i).startsWith("ce_time=")) {
        assertThat(got.get(i)).startsWith(want.get(i).substring(0, want.get(i).indexOf('=') + 1));
      } else {
        assertThat(got.get(i)).isEqualTo(want.get(i));
      }
    }
    assertThat(GeneratedImage.fromRecord(new org.apache.kafka.clients.consumer.ConsumerRecord<>(
        "results", 0, 0, 0L, org.apache.kafka.common.record.TimestampType.CREATE_TIME, 0, 0,
        record.key(), record.value(), record.headers(), java.util.Optional.empty())))
        .usingRecursiveComparison().isEqualTo(image);
    Instant time = Instant.parse(CloudEvents.requiredAttribute(record.headers(), "time"));
    assertThat(time).isBetween(Instant.now().minusSeconds(60), Instant.now());
  }

  @Test
  void aParsedRequestThatGivesItsSeedNeverComputesTheDefault() {
    AtomicInteger asked = new AtomicInteger();
    GenerationRequest seeded = RequestParser.defaults().parse(
        "{\"model\": \"m\", \"seed\": 5}".getBytes(StandardCharsets.UTF_8), "id",
        () -> asked.incrementAndGet() + 100L);
    assertThat(seeded.seed()).isEqualTo(5);
    assertThat(asked).hasValue(0);
    GenerationRequest unseeded = RequestParser.defaults().parse(
        "{\"model\": \"m\"}".getBytes(StandardCharsets.UTF_8), "id",
        () -> asked.incrementAndGet() + 100L);
    assertThat(unseeded.seed()).isEqualTo(101);
    assertThat(asked).hasValue(1);
  }

  private static List<String> texts(Headers headers) {
    List<String> texts = new ArrayList<>();
    for (Header header : headers) {
      texts.add(header.key() + "=" + new String(header.value(), StandardCharsets.UTF_8));
    }
    return texts;
  }
}
