package io.genstream.broker;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Waits until a listener of the starting broker answers a client with the given settings. */
final class BrokerProbe {

  private static final Logger log = LoggerFactory.getLogger(BrokerProbe.class);
  private static final long PAUSE_MS = 50;

  private BrokerProbe() {}

  /**
   * Blocks until an admin client with {@code clientProperties} at {@code bootstrapServers} sees
   * the broker in {@code describeCluster}.
   *
   * @param waitingFor what is awaited, for the log and the exception ("SCRAM user alice to log
   *     in")
   * @throws IllegalStateException if that does not happen within {@code timeout}, or the
   *     thread is interrupted
   */
  static void await(String bootstrapServers, Map<String, String> clientProperties,
      Duration timeout, String waitingFor) {
    Map<String, Object> props = new HashMap<>(clientProperties);
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000);
    props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 100);
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        // A fresh client per try: a refused login is final for the client that tried.
        try (Admin admin = Admin.create(props)) {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (ExecutionException | TimeoutException e) {
          log.debug("Still waiting for {}: {}", waitingFor, e.toString());
        }
        Thread.sleep(PAUSE_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for " + waitingFor, e);
    }
    throw new IllegalStateException("gave up waiting for " + waitingFor + " after " + timeout);
  }
}
