package io.genstream.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

class UntilStoppedTest {

  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream originalErr;

  @BeforeEach
  void captureErr() {
    originalErr = System.err;
    System.setErr(new PrintStream(err, true));
  }

  @AfterEach
  void restoreErr() {
    System.setErr(originalErr);
  }

  @Test
  void aServiceThatStopsForGoodEndsTheCommandWithStatusOneAndItsCause() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();

    int status = UntilStopped.runService("file sink", () -> new UntilStopped.Running(
        () -> closed.set(true),
        Mono.delay(Duration.ofMillis(50)).then(Mono.error(new IllegalStateException(
            "dead letter refused", new TopicAuthorizationException("not authorized"))))));

    assertThat(status).isEqualTo(1);
    assertThat(closed).isTrue();
    assertThat(err.toString().trim()).isEqualTo("genstream: file sink stopped: "
        + "IllegalStateException: dead letter refused (cause: TopicAuthorizationException: "
        + "not authorized)");
  }

  @Test
  void aServiceThatFinishesItsWorkEndsTheCommandWithStatusZero() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();

    int status = UntilStopped.runService("ingest", () -> new UntilStopped.Running(
        () -> closed.set(true), Mono.delay(Duration.ofMillis(50)).then()));

    assertThat(status).isZero();
    assertThat(closed).isTrue();
    assertThat(err.toString()).isEmpty();
  }
}
