package io.genstream.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The ports of one start attempt of the broker, all on 127.0.0.1; 0 for a listener the
 * configuration does not ask for.
 *
 * @param plaintext the always-present PLAINTEXT client listener (the broker's own, and admin's)
 * @param controller the KRaft controller listener
 * @param sasl SASL_PLAINTEXT with SCRAM, when there are SCRAM users
 * @param tls SSL, when there is a TLS key store
 * @param saslSsl SASL_SSL with SCRAM, when there are both
 */
record ListenerPorts(int plaintext, int controller, int sasl, int tls, int saslSsl) {

  /** Picks the ports {@code config} fixes, and free ones for the rest. */
  static ListenerPorts pick(EmbeddedKafka.Config config) {
    boolean scram = !config.scramUsers().isEmpty();
    boolean tls = config.tls() != null;
    return new ListenerPorts(
        config.port() != 0 ? config.port() : freePort(),
        freePort(),
        !scram ? 0 : config.saslPort() != 0 ? config.saslPort() : freePort(),
        tls ? freePort() : 0,
        scram && tls ? freePort() : 0);
  }

  /**
   * Whether {@code e} failed to bind a port: a port found free here may be taken by another
   * process before the broker binds it, and a new pick is then worth another try.
   */
  static boolean causedByBindException(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof BindException) {
        return true;
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
}
