package io.genstream.broker;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * SASL_PLAINTEXT with SCRAM-SHA-256 users given in {@link Config#scramUsers()}, and SSL with a
 * key store given in {@link Config#tls()}. There is no authorizer: every user that logs in may
 * do everything. The plaintext listener is always there (the broker talks to itself on it).
 *
 * <p>Limits raised for GenStream: records up to 34 MiB ({@code message.max.bytes}), so that the
 * models topic can carry 32 MiB models.
 */
public final class EmbeddedKafka implements AutoCloseable {

  /** Largest record batch the broker accepts: a 32 MiB model plus headers and overhead. */
  public static final int MAX_MESSAGE_BYTES = 34 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int NODE_ID = 1;
  private static final int START_ATTEMPTS = 5;
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
   *     certificates are asked for
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

  /** The SASL mechanism of the optional SASL listener. */
  public static final String SCRAM_MECHANISM = "SCRAM-SHA-256";

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

  private final KafkaRaftServer server;
  private final Path dataDir;
  private final boolean deleteDataDir;
  private final int port;
  private final int saslPort;
  private final int tlsPort;
  private final Thread shutdownHook;
  private boolean closed;

  private EmbeddedKafka(KafkaRaftServer server, Path dataDir, boolean deleteDataDir, int port,
      int saslPort, int tlsPort, boolean closeOnJvmShutdown) {
    this.server = server;
    this.dataDir = dataDir;
    this.deleteDataDir = deleteDataDir;
    this.port = port;
    this.saslPort = saslPort;
    this.tlsPort = tlsPort;
    this.shutdownHook = closeOnJvmShutdown
        ? new Thread(this::closeQuietly, "genstream-embedded-kafka-shutdown")
        : null;
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /** Starts a broker on a free port with a temporary data directory; blocks until it is ready. */
  public static EmbeddedKafka start() {
    return start(Config.defaults());
  }

  /**
   * Starts a broker and blocks until it serves clients (about 1.5 s).
   *
   * @throws IllegalStateException if it cannot start or does not become ready in 30 s
   */
  public static EmbeddedKafka start(Config config) {
    installThrowingExit();
    boolean temporary = config.dataDir() == null;
    Path dir;
    try {
      dir = temporary ? Files.createTempDirectory("genstream-kafka-") : config.dataDir();
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the broker's data directory", e);
    }
    try {
      // A formatted directory keeps its cluster id, topics and offsets.
      if (!Files.exists(dir.resolve("meta.properties"))) {
        format(dir);
      }
      return startWithRetries(config, dir, temporary);
    } catch (RuntimeException | Error e) {
      if (temporary) {
        deleteRecursively(dir);
      }
      throw e;
    }
  }

  private static EmbeddedKafka startWithRetries(Config config, Path dir, boolean temporary) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      int port = config.port() != 0 ? config.port() : freePort();
      int controllerPort = freePort();
      int saslPort = config.scramUsers().isEmpty() ? 0
          : config.saslPort() != 0 ? config.saslPort() : freePort();
      int tlsPort = config.tls() == null ? 0 : freePort();
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(
          properties(config, dir, port, controllerPort, saslPort, tlsPort), false),
          Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException e) {
        stop(server);
        // A port picked free may be taken by someone else before the server binds it.
        if (!causedByBindException(e)) {
          throw e;
        }
        log.warn("Port race on attempt {} (port {}, controller port {}), retrying", attempt, port,
            controllerPort);
        last = e;
        continue;
      }
      EmbeddedKafka kafka = new EmbeddedKafka(
          server, dir, temporary, port, saslPort, tlsPort, config.closeOnJvmShutdown());
      try {
        kafka.awaitReady();
        kafka.createScramUsers(config.scramUsers());
        return kafka;
      } catch (RuntimeException | Error e) {
        kafka.close();
        throw e;
      }
    }
    throw new IllegalStateException("embedded Kafka could not bind its ports after "
        + START_ATTEMPTS + " attempts", last);
  }

  private static Properties properties(
      Config config, Path dir, int port, int controllerPort, int saslPort, int tlsPort) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", String.valueOf(NODE_ID));
    p.setProperty("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    String sasl = (saslPort == 0 ? "" : ",SASL_PLAINTEXT://127.0.0.1:" + saslPort)
        + (tlsPort == 0 ? "" : ",SSL://127.0.0.1:" + tlsPort);
    p.setProperty("listeners",
        "PLAINTEXT://127.0.0.1:" + port + sasl + ",CONTROLLER://127.0.0.1:" + controllerPort);
    p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + sasl);
    p.setProperty("listener.security.protocol.map",
        "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL");
    if (tlsPort != 0) {
      p.setProperty("listener.name.ssl.ssl.keystore.type", "PKCS12");
      p.setProperty("listener.name.ssl.ssl.keystore.location",
          config.tls().keyStore().toAbsolutePath().toString());
      p.setProperty("listener.name.ssl.ssl.keystore.password", config.tls().password());
      p.setProperty("listener.name.ssl.ssl.key.password", config.tls().password());
      p.setProperty("listener.name.ssl.ssl.client.auth", "none");
    }
    if (saslPort != 0) {
      p.setProperty("sasl.enabled.mechanisms", SCRAM_MECHANISM);
      // The server side of SCRAM needs a login module but no credentials of its own: the
      // users' salted credentials live in the cluster metadata (createScramUsers).
      p.setProperty("listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config",
          "org.apache.kafka.common.security.scram.ScramLoginModule required;");
    }
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("controller.listener.names", "CONTROLLER");
    p.setProperty("log.dirs", dir.toAbsolutePath().toString());
    // Left at their defaults (3), groups and transactions silently time out on one node.
    p.setProperty("offsets.topic.replication.factor", "1");
    p.setProperty("offsets.topic.num.partitions", "1");
    p.setProperty("transaction.state.log.replication.factor", "1");
    p.setProperty("transaction.state.log.min.isr", "1");
    p.setProperty("transaction.state.log.num.partitions", "1");
    p.setProperty("share.coordinator.state.topic.replication.factor", "1");
    p.setProperty("share.coordinator.state.topic.min.isr", "1");
    // First group join 3.4 s -> 0.2 s.
    p.setProperty("group.initial.rebalance.delay.ms", "0");
    // Restart after a crash 11.5 s -> 3.6 s.
    p.setProperty("broker.session.timeout.ms", "2000");
    p.setProperty("broker.heartbeat.interval.ms", "500");
    p.setProperty("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
    p.setProperty("replica.fetch.max.bytes", String.valueOf(MAX_MESSAGE_BYTES));
    p.setProperty("replica.fetch.response.max.bytes", String.valueOf(2 * MAX_MESSAGE_BYTES));
    p.setProperty("socket.request.max.bytes", String.valueOf(4 * MAX_MESSAGE_BYTES));
    // The log cleaner (compacted models topic) otherwise reserves 128 MiB up front.
    p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    p.putAll(config.brokerProperties());
    return p;
  }

  private static void format(Path dir) {
    // Output goes nowhere: the formatter prints to stdout, which is the demo's console.
    try (PrintStream quiet =
        new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
      String absolute = dir.toAbsolutePath().toString();
      new Formatter()
          .setPrintStream(quiet)
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(absolute))
          .setMetadataLogDirectory(absolute)
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("cannot format Kafka storage in " + dir, e);
    }
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
      while (System.nanoTime() < deadline) {
        try {
          if (!admin.describeCluster(new DescribeClusterOptions().timeoutMs(5000)).nodes()
              .get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          log.debug("Broker not ready yet: {}", e.toString());
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the broker", e);
    }
    throw new IllegalStateException("embedded Kafka not ready after " + READY_TIMEOUT);
  }

  /**
   * Creates or updates the SCRAM users through the plaintext listener, then waits until each
   * can log in on the SASL listener: the broker learns credentials from the metadata log a
   * moment after the controller accepted them.
   */
  private void createScramUsers(Map<String, String> users) {
    if (users.isEmpty()) {
      return;
    }
    try (Admin admin = Admin.create(Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
      List<UserScramCredentialAlteration> upserts = users.entrySet().stream()
          .<UserScramCredentialAlteration>map(e -> new UserScramCredentialUpsertion(e.getKey(),
              new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), e.getValue()))
          .toList();
      admin.alterUserScramCredentials(upserts).all().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot create SCRAM users " + users.keySet(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating SCRAM users", e);
    }
    users.forEach(this::awaitLogin);
  }

  private void awaitLogin(String user, String password) {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    Map<String, Object> props = new java.util.HashMap<>(scramClientProperties(user, password));
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, saslBootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100);
    while (System.nanoTime() < deadline) {
      // A fresh client per try: a refused login is final for the client that tried.
      try (Admin admin = Admin.create(props)) {
        admin.describeCluster().nodes().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
        log.debug("SCRAM user {} cannot log in yet: {}", user, e.toString());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for SCRAM user " + user, e);
      }
    }
    throw new IllegalStateException("SCRAM user " + user + " cannot log in after " + READY_TIMEOUT);
  }

  /**
   * {@code 127.0.0.1:PORT} of the SASL/SCRAM listener.
   *
   * @throws IllegalStateException if the broker was started without SCRAM users
   */
  public String saslBootstrapServers() {
    if (saslPort == 0) {
      throw new IllegalStateException("this broker has no SASL listener (Config.scramUsers is empty)");
    }
    return "127.0.0.1:" + saslPort;
  }

  /**
   * {@code 127.0.0.1:PORT} of the TLS listener.
   *
   * @throws IllegalStateException if the broker was started without {@link Config#tls()}
   */
  public String tlsBootstrapServers() {
    if (tlsPort == 0) {
      throw new IllegalStateException("this broker has no TLS listener (Config.tls is null)");
    }
    return "127.0.0.1:" + tlsPort;
  }

  /** {@code 127.0.0.1:PORT}, for {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** The log directory (deleted on close if it was temporary). */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Shuts the broker down cleanly (about 0.7 s) and, for a temporary directory, deletes it.
   * Idempotent; safe from any thread.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (shutdownHook != null) {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      }
    } catch (IllegalStateException alreadyShuttingDown) {
      // We are running inside the hook (or beside it): nothing to remove.
    }
    closeServer();
  }

  private void closeServer() {
    try {
      stop(server);
    } finally {
      if (deleteDataDir) {
        deleteRecursively(dataDir);
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      log.warn("Embedded Kafka did not shut down cleanly", e);
    }
  }

  private static void stop(KafkaRaftServer server) {
    try {
      server.shutdown();
    } finally {
      server.awaitShutdown();
    }
  }

  private static void installThrowingExit() {
    Exit.setExitProcedure((code, message) -> {
      throw new IllegalStateException("embedded Kafka asked to exit(" + code + "): " + message);
    });
    Exit.setHaltProcedure((code, message) -> {
      throw new IllegalStateException("embedded Kafka asked to halt(" + code + "): " + message);
    });
  }

  private static boolean causedByBindException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free port on 127.0.0.1", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.deleteIfExists(path);
        } catch (IOException e) {
          log.warn("Cannot delete {}: {}", path, e.toString());
        }
      });
    } catch (IOException e) {
      log.warn("Cannot delete {}: {}", dir, e.toString());
    }
  }
}
