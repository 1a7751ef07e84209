package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CommandLineTest extends CliTest {

  @Test
  void helpListsTheCommands() {
    assertThat(run("--help")).isZero();
    assertThat(out.toString())
        .contains("demo", "request", "broker", "ingest", "trainer", "generator", "sink");
  }

  @Test
  void demoHelpShowsEveryOptionWithItsDefault() {
    assertThat(run("demo", "--help")).isZero();
    assertThat(out.toString())
        .contains("--duration", "default: 5m", "--out", "--kafka-port", "--export-every");
  }

  @Test
  void demoRejectsAMissingDataFolderNamingIt() {
    assertThat(run("demo", "--data", "/nonexistent")).isEqualTo(2);
    assertThat(err.toString()).contains("--data must be a folder", "/nonexistent", "does not exist");
  }

  @Test
  void demoRefusesCganOnUnlabelledData(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertThat(run("demo", "--data", dir.toString(), "--family", "cgan")).isEqualTo(2);
    assertThat(err.toString()).contains("--family cgan needs labelled images", "dcgan");
  }

  @Test
  void rejectsAnUnreadableDurationNamingTheValue() {
    assertThat(run("demo", "--duration", "five minutes")).isEqualTo(2);
    assertThat(err.toString()).contains("'five minutes' is not a duration");
  }

  @Test
  void rejectsOutOfRangeSettingsBeforeStartingAnything() {
    assertThat(run("demo", "--count", "1000")).isEqualTo(2);
    assertThat(err.toString()).contains("--count must be 1..256, got 1000");
    assertThat(run("demo", "--duration", "0s")).isEqualTo(2);
    assertThat(err.toString()).contains("--duration must be positive");
    assertThat(run("demo", "--reject-spread", "1.5")).isEqualTo(2);
    assertThat(err.toString()).contains("minPixelSpread must be 0..1, got 1.5");
    assertThat(run("demo", "--evaluator-max-steps", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("evaluator maxSteps must be 1..1000000, got 0");
  }

  @Test
  void theTrainersShuffleBufferIsASettingWithItsDefaultAndRange() {
    assertThat(run("trainer", "--help")).isZero();
    assertThat(out.toString()).contains("--shuffle-buffer=N", "0 = off (default: 4096)");
    assertThat(run("trainer", "--shuffle-buffer", "-1")).isEqualTo(2);
    assertThat(err.toString())
        .contains("shuffle buffer must be 0..1000000 images (0 or 1 = off), got -1");
  }

  @Test
  void everyServiceCommandTakesTheBrokerAddress() {
    for (String command : new String[] {"request", "ingest", "trainer", "generator", "sink"}) {
      assertThat(run(command, "--help")).isZero();
    }
    assertThat(out.toString().split("--bootstrap-server", -1)).hasSize(6);
  }

  @Test
  void generatorRefusesReplyTopicsThatWouldOpenThePipelinesOwnBeforeConnecting() {
    assertThat(run("generator", "--help")).isZero();
    assertThat(out.toString()).contains("--reply-topics", "--max-waiting", "--max-wait");
    // No broker listens on port 1: the refusal comes before any connection.
    assertThat(run("generator", "-b", "127.0.0.1:1", "--reply-topics", "replies,genstream.*"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("reply topic entry 'genstream.*' would let requests "
        + "write into genstream.images, genstream.models");
    assertThat(run("generator", "-b", "127.0.0.1:1", "--max-wait", "2h")).isEqualTo(2);
    assertThat(err.toString()).contains("maxWait must be 1 ms..60 min, got PT2H");
  }

  @Test
  void ingestOffersAnHttpUploadSourceExclusiveOfTheFileSources() {
    assertThat(run("ingest", "--help")).isZero();
    assertThat(out.toString()).contains("--http-port", "/v1/images");
    assertThat(run("ingest", "--http-port", "0", "--folder", "photos")).isEqualTo(2);
    assertThat(err.toString()).contains("mutually exclusive");
  }

  @Test
  void videoDemoRefusesWhatItCannotFilmOrTrain() {
    assertThat(run("demo", "--help")).isZero();
    assertThat(out.toString()).contains("--video", "--streams", "--fps", "--horizon");
    assertThat(run("demo", "--video", "--family", "cgan")).isEqualTo(2);
    assertThat(err.toString()).contains("--video trains family framepred, got --family cgan");
    assertThat(run("demo", "--video", "--streams", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--streams must be 1..64, got 0");
    assertThat(run("demo", "--video", "--set", "imageSize=28")).isEqualTo(2);
    assertThat(err.toString()).contains("the moving digits are 32 or 64 pixels");
    assertThat(run("demo", "--video", "--data", "photos")).isEqualTo(2);
    assertThat(err.toString()).contains("--video films its own moving digits");
  }

  @Test
  void watchingIsForAFolder() {
    assertThat(run("ingest", "--help")).isZero();
    assertThat(out.toString()).contains("--watch[=INTERVAL]", "given without a value: 1s");
    assertThat(run("ingest", "--watch")).isEqualTo(2);
    assertThat(err.toString()).contains("--watch is for --folder only");
    assertThat(run("ingest", "--watch", "--idx", "a", "b")).isEqualTo(2);
    assertThat(err.toString()).contains("--watch is for --folder only");
  }

  @Test
  void rejectsAnUnknownCommandOption() {
    assertThat(run("sink", "--no-such-option")).isEqualTo(2);
    assertThat(err.toString()).contains("Unknown option: '--no-such-option'");
  }

  @Test
  void sinkWritesFilesByDefaultOrByNameAndHasAWebhookSubcommand() {
    assertThat(run("sink", "--help")).isZero();
    assertThat(out.toString()).contains("--out", "files", "webhook");
    assertThat(run("sink", "files", "--help")).isZero();
    assertThat(run("sink", "webhook", "--help")).isZero();
    assertThat(out.toString())
        .contains("--url", "--max-attempts", "default: 5", "--timeout", "default: 10s");
  }

  @Test
  void contactSheetSinkGroupsByRequestOrVersionAndRefusesAnythingElse() {
    assertThat(run("sink", "sheets", "--help")).isZero();
    assertThat(out.toString()).contains("--per", "--max-cells", "sheet.png");
    assertThat(run("sink", "sheets", "--per", "day")).isEqualTo(2);
    assertThat(err.toString()).contains("expected request or version, got 'day'");
    assertThat(run("sink", "sheets", "--max-cells", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--max-cells must be 1..1024, got 0");
  }

  @Test
  void kafkaSinkForwardsToANamedTopicAndRefusesAnInvalidName() {
    assertThat(run("sink", "kafka", "--help")).isZero();
    assertThat(out.toString()).contains("--to-topic", "--to-bootstrap-server");
    assertThat(run("sink", "kafka")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--to-topic=TOPIC'");
    assertThat(run("sink", "kafka", "--to-topic", "no/slashes")).isEqualTo(2);
    assertThat(err.toString()).contains("topic must be a Kafka topic name");
  }

  @Test
  void webhookSinkRejectsBadSettingsBeforeStartingAnything() {
    assertThat(run("sink", "webhook")).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required option: '--url=URL'");
    assertThat(run("sink", "webhook", "--url", "ftp://example.com/x")).isEqualTo(2);
    assertThat(err.toString()).contains("url must be http or https, got ftp://example.com/x");
    assertThat(run("sink", "webhook", "--url", "http://example.com/x", "--max-attempts", "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("maxAttempts must be 1..100, got 0");
    assertThat(run("sink", "webhook", "--url", "http://example.com/x", "--timeout", "soon"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("'soon' is not a duration");
  }
}
