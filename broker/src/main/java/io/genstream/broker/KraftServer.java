package io.genstream.broker;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Exit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running KRaft server behind an {@link EmbeddedKafka}, and its start-up and shutdown
 * sequencing: binding the listeners (a new pick of ports after a port race), and stopping the
 * server once, by its owner or by a JVM shutdown hook, before deleting a temporary data
 * directory.
 */
final class KraftServer {

  // EmbeddedKafka's logger: its log lines keep the category they had before this class split off.
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static final int START_ATTEMPTS = 5;

  private final KafkaRaftServer server;
  private final KraftStorage storage;
  private final ListenerPorts ports;
  private final Thread shutdownHook;
  private boolean closed;

  private KraftServer(KafkaRaftServer server, KraftStorage storage, ListenerPorts ports,
      boolean closeOnJvmShutdown) {
    this.server = server;
    this.storage = storage;
    this.ports = ports;
    this.shutdownHook = closeOnJvmShutdown
        ? new Thread(this::closeQuietly, "genstream-embedded-kafka-shutdown")
        : null;
    if (shutdownHook != null) {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    }
  }

  /**
   * Starts a server on {@code storage} and returns once it has started, with its shutdown hook
   * installed if {@code config} asks for one; it may not serve clients yet.
   *
   * @throws IllegalStateException if its ports were taken on every attempt
   */
  static KraftServer start(EmbeddedKafka.Config config, KraftStorage storage, int nodeId) {
    RuntimeException last = null;
    for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      ListenerPorts ports = ListenerPorts.pick(config);
      KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(
          BrokerProperties.of(config, storage.dir(), nodeId, ports), false), Time.SYSTEM);
      try {
        server.startup();
      } catch (RuntimeException e) {
        stop(server);
        // A port picked free may be taken by someone else before the server binds it.
        if (!ListenerPorts.causedByBindException(e)) {
          throw e;
        }
        log.warn("Port race on attempt {} ({}), retrying", attempt, ports);
        last = e;
        continue;
      }
      return new KraftServer(server, storage, ports, config.closeOnJvmShutdown());
    }
    throw new IllegalStateException("embedded Kafka could not bind its ports after "
        + START_ATTEMPTS + " attempts", last);
  }

  ListenerPorts ports() {
    return ports;
  }

  KraftStorage storage() {
    return storage;
  }

  /** Stops the server and deletes a temporary data directory; idempotent. */
  synchronized void close() {
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
    try {
      stop(server);
    } finally {
      storage.deleteIfTemporary();
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

  /**
   * Replaces Kafka's exit and halt procedures with ones that throw, so that a fatal broker fault
   * fails the broker instead of the host JVM; JVM-wide and never undone, since another broker
   * may still be running.
   */
  static void installThrowingExit() {
    Exit.setExitProcedure((code, message) -> {
      throw new IllegalStateException("embedded Kafka asked to exit(" + code + "): " + message);
    });
    Exit.setHaltProcedure((code, message) -> {
      throw new IllegalStateException("embedded Kafka asked to halt(" + code + "): " + message);
    });
  }
}
