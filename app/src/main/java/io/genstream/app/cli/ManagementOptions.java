package io.genstream.app.cli;

import io.genstream.app.management.ConsumerLag;
import io.genstream.app.management.ManagementServer;
import io.genstream.core.kafka.KafkaConnection;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The management port of a service command: health probes and Prometheus metrics. */
public final class ManagementOptions {

  private static final Duration LAG_EVERY = Duration.ofSeconds(10);

  @Option(names = "--management-port", paramLabel = "P", defaultValue = "-1",
      description = "Serve /health/live, /health/ready and /metrics (Prometheus: JVM, the "
          + "service's counters, its consumer lag per partition) on port P; 0 picks a free "
          + "port, -1 turns it off (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--management-host", paramLabel = "HOST", defaultValue = "0.0.0.0",
      description = "Interface of the management port; it has no API key, so keep it internal "
          + "(default: ${DEFAULT-VALUE}, for container probes).")
  String host;

  /** The registry the service's counters go to; closed by {@link #open}'s closeable. */
  PrometheusMeterRegistry meters(String service) {
    return ManagementServer.meters(service);
  }

  /**
   * Opens the management port if one was asked for, measuring {@code group}'s lag (null: no
   * consumer group); the returned closeable closes the port, the lag meter and {@code meters}.
   */
  AutoCloseable open(String service, PrometheusMeterRegistry meters,
      ManagementServer.Readiness readiness, KafkaConnection kafka, String group) {
    if (port < 0) {
      return meters::close;
    }
    if (port > 65535) {
      meters.close();
      throw new IllegalArgumentException("--management-port must be -1 (off), 0 (a free port) "
          + "or 1..65535, got " + port);
    }
    ConsumerLag lag = group == null ? null : new ConsumerLag(kafka, group, meters, LAG_EVERY);
    ManagementServer server;
    try {
      server = ManagementServer.start(service, host, port, meters, readiness);
    } catch (RuntimeException e) {
      if (lag != null) {
        lag.close();
      }
      meters.close();
      throw e;
    }
    System.out.println(server.describe(host.equals("0.0.0.0") ? "127.0.0.1" : host));
    return () -> {
      server.close();
      if (lag != null) {
        lag.close();
      }
    };
  }
}
