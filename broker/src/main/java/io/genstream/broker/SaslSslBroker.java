package io.genstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The fixture of the SASL_SSL tests of every module: an in-process broker with SCRAM users and
 * TLS (hence its SASL_SSL listener), its own self-signed identity, and a stranger's identity that
 * it does not trust, all in a temporary folder that {@link #close()} removes.
 */
public final class SaslSslBroker implements AutoCloseable {

  /** The password of both identities' key stores. */
  public static final String KEY_PASSWORD = "key-pw-123";
  /** The password of both identities' trust stores. */
  public static final String TRUST_PASSWORD = "trust-pw-456";

  private final Path dir;
  private final SelfSignedTls identity;
  private final SelfSignedTls stranger;
  private final EmbeddedKafka kafka;

  private SaslSslBroker(Path dir, SelfSignedTls identity, SelfSignedTls stranger,
      EmbeddedKafka kafka) {
    this.dir = dir;
    this.identity = identity;
    this.stranger = stranger;
    this.kafka = kafka;
  }

  /** Makes both identities (about a second each) and starts the broker with these users. */
  public static SaslSslBroker start(Map<String, String> scramUsers) {
    Path dir;
    try {
      dir = Files.createTempDirectory("genstream-sasl-ssl-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try {
      SelfSignedTls identity = SelfSignedTls.create(dir, "broker", KEY_PASSWORD, TRUST_PASSWORD);
      SelfSignedTls stranger = SelfSignedTls.create(dir, "stranger", KEY_PASSWORD,
          TRUST_PASSWORD);
      EmbeddedKafka kafka = EmbeddedKafka.start(EmbeddedKafka.Config.defaults()
          .withScramUsers(scramUsers).withTls(identity.brokerTls()));
      return new SaslSslBroker(dir, identity, stranger, kafka);
    } catch (RuntimeException e) {
      delete(dir);
      throw e;
    }
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  /** The broker's identity: its trust store is what a client must trust. */
  public SelfSignedTls identity() {
    return identity;
  }

  /** An identity the broker does not know: its trust store makes a client refuse the broker. */
  public SelfSignedTls stranger() {
    return stranger;
  }

  /** Stops the broker and deletes both identities' files. */
  @Override
  public void close() {
    try {
      kafka.close();
    } finally {
      delete(dir);
    }
  }

  private static void delete(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
