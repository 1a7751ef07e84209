package io.genstream.app.cli;

import io.genstream.sinks.SinkService;
import io.genstream.sinks.webhook.WebhookSink;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code genstream sink webhook}: POSTs each result to a URL as a CloudEvent. */
@Command(name = "webhook", header = "POST each result to a URL (CloudEvents HTTP binary mode).",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Body: the image bytes with its Content-Type; attributes as ce-* headers (ce-id is",
      "<requestId>-<index>, stable across retries). 5xx, 408, 429, timeouts and network errors",
      "are retried with exponential back-off (200 ms doubling, at most 10 s, with jitter) up to",
      "--max-attempts; then, or at once on any other 4xx, the result is dead-lettered with the",
      "last status and body. Each result is committed once the receiver answered 2xx.", ""})
public final class WebhookSinkCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(names = "--url", required = true, paramLabel = "URL",
      description = "Where to POST results (http or https).")
  URI url;

  @Option(names = "--max-attempts", defaultValue = "5", paramLabel = "N",
      description = "Attempts per result in all, 1..100 (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  @Option(names = "--timeout", defaultValue = "10s", converter = DurationConverter.class,
      paramLabel = "DURATION", description = "Per request (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(names = "--group", defaultValue = "genstream-sink-webhook",
      description = "Consumer group of the results topic (default: ${DEFAULT-VALUE}).")
  String group;

  @Override
  public Integer call() throws Exception {
    WebhookSink.Options options;
    try {
      options = WebhookSink.Options.of(url).withMaxAttempts(maxAttempts).withTimeout(timeout);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    return UntilStopped.runService("webhook sink", () -> {
      WebhookSink webhook = new WebhookSink(options);
      SinkService sink = new SinkService(webhook,
          new SinkService.Options(kafka.connection(), kafka.ensureTopics(), group)).start();
      System.out.println("posting to       : " + url);
      return new UntilStopped.Running(() -> {
        sink.close();
        webhook.close();
        System.out.println("webhook sink stopped: " + sink.written() + " results delivered, "
            + sink.deadLettered() + " dead-lettered");
      }, sink.completion());
    });
  }
}
