package io.genstream.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The server configuration of the embedded broker: its listeners and their security, and the
 * settings that make one node behave (replication factors, fast rebalance and restart, the
 * record size limits of the models topic). {@link EmbeddedKafka.Config#brokerProperties()} are
 * applied last and override any of these.
 */
final class BrokerProperties {

  /** The KRaft controller's listener, which the storage is formatted for too. */
  static final String CONTROLLER_LISTENER = "CONTROLLER";

  private static final String SCRAM_SERVER_JAAS =
      "org.apache.kafka.common.security.scram.ScramLoginModule required;";

  private BrokerProperties() {}

  static Properties of(EmbeddedKafka.Config config, Path dir, int nodeId, ListenerPorts ports) {
    Properties p = new Properties();
    p.setProperty("process.roles", "broker,controller");
    p.setProperty("node.id", String.valueOf(nodeId));
    p.setProperty("controller.quorum.voters", nodeId + "@127.0.0.1:" + ports.controller());
    listeners(p, config, ports);
    p.setProperty("inter.broker.listener.name", "PLAINTEXT");
    p.setProperty("controller.listener.names", CONTROLLER_LISTENER);
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
    int max = EmbeddedKafka.MAX_MESSAGE_BYTES;
    p.setProperty("message.max.bytes", String.valueOf(max));
    p.setProperty("replica.fetch.max.bytes", String.valueOf(max));
    p.setProperty("replica.fetch.response.max.bytes", String.valueOf(2 * max));
    p.setProperty("socket.request.max.bytes", String.valueOf(4 * max));
    // The log cleaner (compacted models topic) otherwise reserves 128 MiB up front.
    p.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(8 * 1024 * 1024));
    p.setProperty("num.network.threads", "2");
    p.setProperty("num.io.threads", "2");
    p.putAll(config.brokerProperties());
    return p;
  }

  /**
   * One listener per security protocol, each named after its protocol, so that per-listener
   * settings read {@code listener.name.<protocol>.*} (a caller can override e.g.
   * {@code listener.name.ssl.ssl.client.auth} for mutual TLS).
   */
  private static void listeners(Properties p, EmbeddedKafka.Config config, ListenerPorts ports) {
    List<String> client = new ArrayList<>(List.of("PLAINTEXT://127.0.0.1:" + ports.plaintext()));
    if (ports.sasl() != 0) {
      client.add("SASL_PLAINTEXT://127.0.0.1:" + ports.sasl());
      scram(p, "sasl_plaintext");
    }
    if (ports.tls() != 0) {
      client.add("SSL://127.0.0.1:" + ports.tls());
      tls(p, "ssl", config.tls());
    }
    if (ports.saslSsl() != 0) {
      client.add("SASL_SSL://127.0.0.1:" + ports.saslSsl());
      tls(p, "sasl_ssl", config.tls());
      scram(p, "sasl_ssl");
    }
    String advertised = String.join(",", client);
    p.setProperty("listeners",
        advertised + "," + CONTROLLER_LISTENER + "://127.0.0.1:" + ports.controller());
    p.setProperty("advertised.listeners", advertised);
    p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT," + CONTROLLER_LISTENER
        + ":PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL");
  }

  private static void tls(Properties p, String listener, EmbeddedKafka.Tls tls) {
    String prefix = "listener.name." + listener + ".";
    p.setProperty(prefix + "ssl.keystore.type", "PKCS12");
    p.setProperty(prefix + "ssl.keystore.location", tls.keyStore().toAbsolutePath().toString());
    p.setProperty(prefix + "ssl.keystore.password", tls.password());
    p.setProperty(prefix + "ssl.key.password", tls.password());
    p.setProperty(prefix + "ssl.client.auth", "none");
  }

  private static void scram(Properties p, String listener) {
    p.setProperty("sasl.enabled.mechanisms", EmbeddedKafka.SCRAM_MECHANISM);
    // The server side of SCRAM needs a login module but no credentials of its own: the users'
    // salted credentials live in the cluster metadata (ScramUsers).
    p.setProperty("listener.name." + listener + ".scram-sha-256.sasl.jaas.config",
        SCRAM_SERVER_JAAS);
  }
}
