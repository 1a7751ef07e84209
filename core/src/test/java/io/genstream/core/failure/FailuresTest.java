package io.genstream.core.failure;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.core.messages.InvalidRequestException;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

class FailuresTest {

  @Test
  void modelsStillLoadingBrokerHiccupsAndMemoryPressureAreTransient() {
    assertThat(Failures.isTransient(new TransientFailure("model v3 is loading"))).isTrue();
    assertThat(Failures.isTransient(new TimeoutException("metadata"))).isTrue();
    assertThat(Failures.isTransient(new OutOfMemoryError("arena"))).isTrue();
    assertThat(Failures.isTransient(
        new CompletionException(new TransientFailure("wrapped")))).isTrue();
  }

  @Test
  void badInputAndRecordsTheBrokerCanNeverTakeArePermanent() {
    assertThat(Failures.isTransient(new InvalidRequestException("label out of range"))).isFalse();
    assertThat(Failures.isTransient(new RecordTooLargeException("2 MB"))).isFalse();
    assertThat(Failures.isTransient(new IllegalStateException("bug"))).isFalse();
  }

  @Test
  void aRefusedLoginIsPermanentHoweverItIsWrapped() {
    SaslAuthenticationException refused = new SaslAuthenticationException("invalid credentials");
    assertThat(Failures.isTransient(refused)).isFalse();
    assertThat(Failures.isTransient(new TransientFailure("retry me", refused))).isFalse();
    assertThat(Failures.isTransient(new SslAuthenticationException("handshake"))).isFalse();
  }

  @Test
  void aRebalanceIsTransient() {
    assertThat(Failures.isTransient(new CommitFailedException("group moved on"))).isTrue();
  }

  @Test
  void recordsTooLargeOrForAForbiddenOrInvalidTopicAreUnpublishableButBrokerTimeoutsAreNot() {
    assertThat(Failures.isUnpublishable(new RecordTooLargeException("2 MB"))).isTrue();
    assertThat(Failures.isUnpublishable(new TopicAuthorizationException("results"))).isTrue();
    assertThat(Failures.isUnpublishable(new InvalidTopicException("bad name"))).isTrue();
    assertThat(Failures.isUnpublishable(new TimeoutException("metadata"))).isFalse();
  }
}
