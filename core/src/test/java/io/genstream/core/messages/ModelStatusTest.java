package io.genstream.core.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.messages.ModelStatus.VersionStatus;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class ModelStatusTest {

  @Test
  void aPromotedVersionIsBestAndTheFormerBestACandidateAgain() {
    ModelStatus status = ModelStatus.none("digits", "fd")
        .judged(1, new VersionStatus(ModelStatus.BEST, "first"), 40.0)
        .judged(2, new VersionStatus(ModelStatus.REJECTED, "diversity 0.1 < 0.3"), null)
        .judged(3, new VersionStatus(ModelStatus.BEST, "fd 30 < 40 by 25%"), 30.0);

    assertThat(status.best()).isEqualTo(3);
    assertThat(status.bestValue()).isEqualTo(30.0);
    assertThat(status.statusOf(1)).isEqualTo(ModelStatus.CANDIDATE);
    assertThat(status.statusOf(2)).isEqualTo(ModelStatus.REJECTED);
    assertThat(status.reasonOf(2)).contains("diversity");
    assertThat(status.statusOf(3)).isEqualTo(ModelStatus.BEST);
    assertThat(status.statusOf(4)).isNull();
  }

  @Test
  void keepsOnlyTheNewestVersions() {
    ModelStatus status = ModelStatus.none("digits", "fd");
    for (long v = 1; v <= ModelStatus.MAX_VERSIONS + 10; v++) {
      status = status.judged(v, new VersionStatus(ModelStatus.CANDIDATE, ""), null);
    }
    assertThat(status.versions()).hasSize(ModelStatus.MAX_VERSIONS);
    assertThat(status.versions()).containsKey(ModelStatus.MAX_VERSIONS + 10L)
        .doesNotContainKey(10L);
  }

  @Test
  void travelsAsARecordKeyedByTheModel() {
    ModelStatus status = ModelStatus.none("digits", "fd")
        .judged(7, new VersionStatus(ModelStatus.BEST, "first"), 12.5);
    ProducerRecord<String, byte[]> sent = status.toRecord("genstream.models", "test");
    assertThat(sent.key()).isEqualTo("digits/status");
    assertThat(ModelStatus.isStatusKey(sent.key())).isTrue();
    assertThat(ModelStatus.modelOf(sent.key())).isEqualTo("digits");
    ConsumerRecord<String, byte[]> received =
        new ConsumerRecord<>("genstream.models", 0, 0, sent.key(), sent.value());
    assertThat(ModelStatus.fromRecord(received)).isEqualTo(status);
  }

  @Test
  void versionKeysAreNotStatusKeys() {
    assertThat(ModelStatus.isStatusKey("digits/7")).isFalse();
    assertThat(ModelStatus.isStatusKey("digits/7/status")).isFalse();
    assertThat(ModelStatus.isStatusKey("/status")).isFalse();
    assertThat(ModelStatus.isStatusKey(null)).isFalse();
  }

  @Test
  void refusesARecordWhoseKeyNamesAnotherModel() {
    ModelStatus status = ModelStatus.none("digits", "fd");
    ConsumerRecord<String, byte[]> forged = new ConsumerRecord<>("genstream.models", 0, 0,
        "letters/status", status.toRecord("t", "s").value());
    assertThatThrownBy(() -> ModelStatus.fromRecord(forged))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("letters/status");
  }
}
