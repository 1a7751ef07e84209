package io.genstream.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaConnectionTest {

  private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule"
      + " required username=\"alice\" password=\"s3cr3t-pw\";";

  @Test
  void aStaticMemberIdGoesToGroupConsumersOnly() {
    KafkaConnection kafka = KafkaConnection.load("127.0.0.1:9092", null,
        Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "generator-1"));

    assertThat(ReceiverOptions.forGroup(kafka, "genstream-generator", "requests").properties())
        .containsEntry(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "generator-1")
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "genstream-generator");
    assertThat(ReceiverOptions.allFromBeginning(kafka, "models").properties())
        .doesNotContainKeys(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
            ConsumerConfig.GROUP_ID_CONFIG);
  }

  @Test
  void overridesWinOverTheFileWhichWinsOverClientDefaults(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("client.properties");
    Files.writeString(file, "security.protocol=SASL_PLAINTEXT\n"
        + "linger.ms=50\nclient.id=from-file\n");
    KafkaConnection connection = KafkaConnection.load("h:1", file, Map.of("client.id", "from-x"));

    Map<String, Object> props = SenderOptions.defaults(connection).properties();

    assertThat(props).containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "50")
        .containsEntry("client.id", "from-x")
        .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "h:1");
  }

  @Test
  void essentialSettingsWinOverTheUsersOnes() {
    KafkaConnection connection = new KafkaConnection("h:1", Map.of(
        ProducerConfig.ACKS_CONFIG, "0", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false",
        ConsumerConfig.GROUP_ID_CONFIG, "someone-else",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true",
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));

    assertThat(SenderOptions.defaults(connection).properties())
        .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
        .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    assertThat(ReceiverOptions.forGroup(connection, "sink", "t").properties())
        .containsEntry(ConsumerConfig.GROUP_ID_CONFIG, "sink")
        .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false)
        // Not essential: where a new group starts is the user's choice.
        .containsEntry(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
  }

  @Test
  void bootstrapServersAreSetOnlyWithTheFlag() {
    assertThatThrownBy(() -> KafkaConnection.load("h:1", null,
        Map.of("bootstrap.servers", "other:2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-b/--bootstrap-server");
  }

  @Test
  void missingFileIsNamed(@TempDir Path dir) {
    assertThatThrownBy(() -> KafkaConnection.load("h:1", dir.resolve("nope.properties"), Map.of()))
        .hasMessageContaining("nope.properties");
  }

  @Test
  void secretsNeverAppearInText() {
    KafkaConnection connection = new KafkaConnection("h:1", Map.of(
        "sasl.jaas.config", JAAS,
        "ssl.truststore.password", "trust-pw",
        "ssl.keystore.password", "store-pw",
        "ssl.key.password", "key-pw",
        "sasl.oauthbearer.client.secret", "oauth-secret",
        "ssl.keystore.key", "-----BEGIN PRIVATE KEY-----",
        "security.protocol", "SASL_SSL"));

    for (String text : new String[] {
        connection.toString(),
        SenderOptions.defaults(connection).toString(),
        ReceiverOptions.forGroup(connection, "g", "t").toString(),
        ReceiverOptions.allFromBeginning(connection, "t").toString()}) {
      assertThat(text).contains("SASL_SSL", "sasl.jaas.config", KafkaConnection.REDACTED)
          .doesNotContain("s3cr3t-pw", "trust-pw", "store-pw", "key-pw", "oauth-secret",
              "PRIVATE KEY");
    }
    assertThat(connection.user()).isEqualTo("alice");
  }
}
