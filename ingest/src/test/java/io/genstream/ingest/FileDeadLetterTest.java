package io.genstream.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.messages.CloudEvents;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileDeadLetterTest {

  @TempDir Path dir;

  @Test
  void carriesTheFileNameReasonAndBytes() throws Exception {
    Path file = Files.writeString(dir.resolve("x.png"), "not a png");
    ProducerRecord<String, byte[]> record =
        FileDeadLetter.of(SourceItem.Rejection.ofFile(file, "unsupported file"), "dl", "ingest-folder");
    assertThat(record.topic()).isEqualTo("dl");
    assertThat(record.key()).isEqualTo(file.toString());
    assertThat(record.value()).isEqualTo("not a png".getBytes());
    assertThat(CloudEvents.attribute(record.headers(), "origin")).contains(file.toString());
    assertThat(CloudEvents.attribute(record.headers(), "reason")).contains("unsupported file");
    assertThat(CloudEvents.attribute(record.headers(), "type")).contains(CloudEvents.TYPE_DEADLETTER);
  }

  @Test
  void aFileOverTheCapIsLeftOutWithItsSizeInTheReason() throws Exception {
    Path file = Files.write(dir.resolve("big.bmp"), new byte[FileDeadLetter.MAX_VALUE_BYTES + 1]);
    ProducerRecord<String, byte[]> record =
        FileDeadLetter.of(SourceItem.Rejection.ofFile(file, "too large"), "dl", "ingest-folder");
    assertThat(record.value()).isEmpty();
    assertThat(CloudEvents.attribute(record.headers(), "reason").orElseThrow())
        .startsWith("too large").contains(String.valueOf(FileDeadLetter.MAX_VALUE_BYTES + 1));
  }

  @Test
  void aRejectionWithoutAFileHasAnEmptyValue() {
    ProducerRecord<String, byte[]> record = FileDeadLetter.of(
        new SourceItem.Rejection("upload-7", "no body", Optional.empty()), "dl", "ingest-http");
    assertThat(record.value()).isEmpty();
    assertThat(CloudEvents.attribute(record.headers(), "origin")).contains("upload-7");
  }
}
