package io.genstream.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A real single-node Kafka broker (KRaft, combined broker + controller) running inside this JVM,
 * listening on 127.0.0.1 only. For {@code genstream demo} and tests.
 *
 * <p><b>Ownership.</b> The caller owns the broker and must {@link #close()} it (try-with-resources);
 * a JVM shutdown hook closes it too if the owner did not. {@code close()} is idempotent, stops
 * every server thread (they are non-daemon and would otherwise keep the JVM alive) and deletes
 * the data directory if it was a temporary one. Several brokers may run in one JVM.
 *
 * <p><b>JVM-wide side effect.</b> Starting a broker replaces Kafka's {@code Exit} exit and halt
 * procedures with ones that throw: a fatal broker fault then fails the broker instead of killing
 * the host JVM. They are never restored, since another broker may still be running.
 *
 * <p><b>Security.</b> Optionally more client listeners for testing secured clients:
 * SASL_PLAINTEXT with SCRAM-SHA-256 users given in {@link Config#scramUsers()}, SSL with a
 * key store given in {@link Config#tls()}, and SASL_SSL (the same users over the same TLS) when
 * both are given. {@link SelfSignedTls} makes a key store and a trust store for tests. There is
 * no authorizer: every user that logs in may do everything. The plaintext listener is always
 * there (the broker talks to itself on it, and creates the SCRAM users through it).
 *
 * <p>Limits raised for GenStream: records up to 34 MiB ({@code message.max.bytes}), so that the
 * models topic can carry 32 MiB models.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Largest record batch the broker accepts: a 32 MiB model plus headers and overhead. */
  public static final int MAX_MESSAGE_BYTES = 34 * 1024 * 1024;

  /** The SASL mechanism of the optional SASL listeners. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-256";

  private static final int NODE_ID = 1;
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Where and how to run.
   *
   * @param port the client port, 0 for a free one
   * @param dataDir the log directory, kept on close; {@code null} for a temporary one that is
   *     deleted on close. An already formatted directory is reused with its topics and offsets.
   * @param brokerProperties extra broker settings; they override the defaults
   * @param closeOnJvmShutdown install a shutdown hook that closes the broker; an owner with a
   *     shutdown sequence of its own (services first, broker last) turns it off and closes the
   *     broker itself, since hooks run concurrently
   * @param scramUsers user name → password; when not empty the broker opens a second client
   *     listener, {@code SASL_PLAINTEXT} with {@value #SCRAM_MECHANISM}
   *     ({@link #saslBootstrapServers()}), and creates these users at start (again on every
   *     start, so a reused directory gets the current passwords). The plaintext listener stays
   *     for the broker's own use and for admin work.
   * @param saslPort the SASL listener's port, 0 for a free one; unused without SCRAM users
   * @param tls when not {@code null}, a third client listener, {@code SSL} on a free port
   *     ({@link #tlsBootstrapServers()}), serving this key store's certificate; no client
   *     certificates are asked for (broker property {@code listener.name.ssl.ssl.client.auth}
   *     changes that). With SCRAM users too, a fourth: {@code SASL_SSL} on a free port
   *     ({@link #saslSslBootstrapServers()}), the same users over the same certificate.
   */
  public record Config(int port, Path dataDir, Map<String, String> brokerProperties,
      boolean closeOnJvmShutdown, Map<String, String> scramUsers, int saslPort, Tls tls) {
    public Config {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535 (0 = any free port), got " + port);
      }
      if (saslPort < 0 || saslPort > 65535) {
        throw new IllegalArgumentException(
            "saslPort must be 0..65535 (0 = any free port), got " + saslPort);
      }
      brokerProperties = Map.copyOf(brokerProperties);
      scramUsers = Map.copyOf(scramUsers);
      scramUsers.forEach((user, password) -> {
        if (user.isBlank() || password.isEmpty()) {
          throw new IllegalArgumentException("SCRAM users need a name and a password, got user '"
              + user + "'");
        }
      });
    }

    public Config(int port, Path dataDir, Map<String, String> brokerProperties,
        boolean closeOnJvmShutdown) {
      this(port, dataDir, brokerProperties, closeOnJvmShutdown, Map.of(), 0, null);
    }

    public Config(int port, Path dataDir, Map<String, String> brokerProperties) {
      this(port, dataDir, brokerProperties, true);
    }

    public Config(int port, Path dataDir) {
      this(port, dataDir, Map.of());
    }

    /** A copy that leaves closing on JVM shutdown to the owner. */
    public Config withoutShutdownHook() {
      return new Config(port, dataDir, brokerProperties, false, scramUsers, saslPort, tls);
    }

    /** A copy with a SASL/SCRAM listener for these users (name → password). */
    public Config withScramUsers(Map<String, String> users) {
      return new Config(port, dataDir, brokerProperties, closeOnJvmShutdown, users, saslPort,
          tls);
    }

    /** A copy whose SASL listener (if it has SCRAM users) listens on {@code port}. */
    public Config withSaslPort(int port) {
      return new Config(this.port, dataDir, brokerProperties, closeOnJvmShutdown, scramUsers,
          port, tls);
    }

    /** A copy with a TLS listener serving {@code keyStore}'s certificate. */
    public Config withTls(Tls keyStore) {
      return new Config(port, dataDir, brokerProperties, closeOnJvmShutdown, scramUsers,
          saslPort, keyStore);
    }

    /** A free port and a temporary directory. */
    public static Config defaults() {
      return new Config(0, null);
    }

    /** The settings without the passwords. */
    @Override
    public String toString() {
      return "Config[port=" + port + ", dataDir=" + dataDir + ", brokerProperties="
          + brokerProperties.keySet() + ", closeOnJvmShutdown=" + closeOnJvmShutdown
          + ", scramUsers=" + scramUsers.keySet() + ", saslPort=" + saslPort + ", tls=" + tls
          + "]";
    }
  }

  /**
   * The broker's TLS identity.
   *
   * @param keyStore a PKCS12 key store with the broker's key and certificate (whose subject
   *     alternative names must include 127.0.0.1 for clients to accept it)
   * @param password the key store's (and key's) password
   */
  public record Tls(Path keyStore, String password) {
    public Tls {
      Objects.requireNonNull(keyStore, "keyStore");
      Objects.requireNonNull(password, "password");
    }

    /** The key store without its password. */
    @Override
    public String toString() {
      return "Tls[keyStore=" + keyStore + "]";
    }
  }

  /**
   * The client properties that log in to the SASL listener as {@code user}; for tests and for
   * printing an example. Contains the password.
   */
  public static Map<String, String> scramClientProperties(String user, String password) {
    return Map.of(
        "security.protocol", "SASL_PLAINTEXT",
        "sasl.mechanism", SCRAM_MECHANISM,
        "sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"" + user + "\" password=\"" + password + "\";");
  }

  /**
   * The client properties that log in to the SASL_SSL listener as {@code user}, trusting the
   * certificates in {@code trustStore} (PKCS12), e.g. {@link SelfSignedTls#trustStore()}.
   * Contains both passwords.
   */
  public static Map<String, String> scramOverTlsClientProperties(String user, String password,
      Path trustStore, String trustStorePassword) {
    Map<String, String> props = new HashMap<>(scramClientProperties(user, password));
    props.put("security.protocol", "SASL_SSL");
    props.put("ssl.truststore.type", "PKCS12");
    props.put("ssl.truststore.location", trustStore.toAbsolutePath().toString());
    props.put("ssl.truststore.password", trustStorePassword);
    return Map.copyOf(props);
  }

  private final KraftServer server;
  private final ListenerPorts ports;

  private EmbeddedKafka(KraftServer server) {
    this.server = server;
    this.ports = server.ports();
  }

  /** Starts a broker on a free port with a temporary data directory; blocks until it is ready. */
  public static EmbeddedKafka start() {
    return start(Config.defaults());
  }

  /**
   * Starts a broker and blocks until it serves clients (about 1.5 s) and, with SCRAM users,
   * until they can log in.
   *
   * @throws IllegalStateException if it cannot start or does not become ready in 30 s
   */
  public static EmbeddedKafka start(Config config) {
    KraftServer.installThrowingExit();
    KraftStorage storage = KraftStorage.prepare(config.dataDir(), NODE_ID,
        BrokerProperties.CONTROLLER_LISTENER);
    try {
      return startAndAwaitReady(config, storage);
    } catch (RuntimeException | Error e) {
      storage.deleteIfTemporary();
      throw e;
    }
  }

  private static EmbeddedKafka startAndAwaitReady(Config config, KraftStorage storage) {
    EmbeddedKafka kafka = new EmbeddedKafka(KraftServer.start(config, storage, NODE_ID));
    try {
      BrokerProbe.await(kafka.bootstrapServers(), Map.of(), READY_TIMEOUT,
          "embedded Kafka to be ready");
      if (!config.scramUsers().isEmpty()) {
        ScramUsers.upsert(kafka.bootstrapServers(), kafka.saslBootstrapServers(),
            config.scramUsers(), READY_TIMEOUT);
      }
      return kafka;
    } catch (RuntimeException | Error e) {
      kafka.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + ports.plaintext();
  }

  /**
   * {@code 127.0.0.1:PORT} of the SASL/SCRAM listener (SASL_PLAINTEXT).
   *
   * @throws IllegalStateException if the broker was started without SCRAM users
   */
  public String saslBootstrapServers() {
    return address(ports.sasl(), "SASL listener (Config.scramUsers is empty)");
  }

  /**
   * {@code 127.0.0.1:PORT} of the TLS listener (SSL).
   *
   * @throws IllegalStateException if the broker was started without {@link Config#tls()}
   */
  public String tlsBootstrapServers() {
    return address(ports.tls(), "TLS listener (Config.tls is null)");
  }

  /**
   * {@code 127.0.0.1:PORT} of the SASL/SCRAM over TLS listener (SASL_SSL).
   *
   * @throws IllegalStateException unless the broker was started with both SCRAM users and
   *     {@link Config#tls()}
   */
  public String saslSslBootstrapServers() {
    return address(ports.saslSsl(),
        "SASL_SSL listener (it needs both Config.scramUsers and Config.tls)");
  }

  private static String address(int port, String missing) {
    if (port == 0) {
      throw new IllegalStateException("this broker has no " + missing);
    }
    return "127.0.0.1:" + port;
  }

  public int port() {
    return ports.plaintext();
  }

  /** The log directory (deleted on close if it was temporary). */
  public Path dataDir() {
    return server.storage().dir();
  }

  /**
   * Shuts the broker down cleanly (about 0.7 s) and, for a temporary directory, deletes it.
   * Idempotent; safe from any thread.
   */
  @Override
  public void close() {
    server.close();
  }
}
