package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.broker.EmbeddedKafka;
import io.genstream.broker.TopicReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Service commands against the SASL/SCRAM listener of the in-process broker. */
class SecuredKafkaCommandTest extends CliTest {

  private static final String PASSWORD = "alice-s3cret";
  private static EmbeddedKafka kafka;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(
        EmbeddedKafka.Config.defaults().withScramUsers(Map.of("alice", PASSWORD)));
  }

  @AfterAll
  static void stop() {
    kafka.close();
  }

  @Test
  void ingestAndStatusWorkWithTheRightCredentialsFromACommandConfigFile() throws Exception {
    Path config = clientProperties(PASSWORD);

    int ingest = run("ingest", "-b", kafka.saslBootstrapServers(), "--command-config",
        config.toString(), "--topic-prefix", "ok.", "--max-images", "5",
        "--images-per-second", "0", "--no-ledger");
    assertThat(ingest).as(err.toString()).isZero();
    // Read back through the plaintext listener: the records really went in.
    assertThat(TopicReader.read(kafka.bootstrapServers(), "ok.images", 5)).hasSize(5);

    int status = run("status", "-b", kafka.saslBootstrapServers(), "--command-config",
        config.toString(), "--topic-prefix", "ok.");
    assertThat(status).as(err.toString()).isZero();
    assertThat(out.toString()).containsPattern("ok\\.images\\s+2 partitions\\s+5 records");
    assertThat(out.toString() + err).doesNotContain(PASSWORD);
  }

  @Test
  void wrongPasswordFailsFastWithOneLineNamingUserAndServer() throws Exception {
    // The file holds the right password; -X overrides it with a wrong one.
    Path config = clientProperties(PASSWORD);
    long t0 = System.nanoTime();

    int code = run("ingest", "-b", kafka.saslBootstrapServers(), "--command-config",
        config.toString(), "-X", "sasl.jaas.config=" + jaas("not-the-password"),
        "--topic-prefix", "bad.", "--max-images", "5", "--no-ledger");

    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(code).isEqualTo(1);
    assertThat(ms).as("ms to fail").isLessThan(15_000);
    assertThat(err.toString().strip())
        .startsWith("genstream ingest: authentication failed for user alice at "
            + kafka.saslBootstrapServers() + ": ")
        .doesNotContain("not-the-password", PASSWORD)
        .doesNotContain("\n");
  }

  @Test
  void everyServiceCommandTakesClientSettingsAndHelpShowsNoValue() {
    for (String[] command : new String[][] {{"ingest"}, {"ingest", "frames"}, {"trainer"},
        {"generator"}, {"predictor"}, {"sink", "files"}, {"sink", "webhook"}, {"sink", "kafka"},
        {"sink", "sheets"}, {"request"}, {"status"}}) {
      StringBuilder help = new StringBuilder();
      String[] args = new String[command.length + 5];
      System.arraycopy(command, 0, args, 0, command.length);
      System.arraycopy(new String[] {"-X", "sasl.jaas.config=" + jaas(PASSWORD),
          "--command-config", "/no/such/file", "--help"}, 0, args, command.length, 5);
      assertThat(run(args)).as(String.join(" ", command)).isZero();
      help.append(out);
      assertThat(help).as(String.join(" ", command))
          .contains("--command-config=FILE", "-X, --kafka-property=KEY=VALUE")
          .doesNotContain(PASSWORD);
    }
  }

  @Test
  void unreadableCommandConfigIsAUsageErrorNamingTheFile() {
    int code = run("status", "-b", kafka.saslBootstrapServers(), "--command-config",
        dir.resolve("missing.properties").toString());

    assertThat(code).as(err.toString()).isEqualTo(2);
    assertThat(err.toString()).contains("missing.properties");
  }

  private Path clientProperties(String password) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "security.protocol=SASL_PLAINTEXT\n"
        + "sasl.mechanism=SCRAM-SHA-256\n"
        + "sasl.jaas.config=" + jaas(password) + "\n");
    return file;
  }

  private static String jaas(String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"alice\""
        + " password=\"" + password + "\";";
  }
}
