/**
 * An in-process single-node Kafka broker (KRaft) for {@code genstream demo} and tests:
 * {@link io.genstream.broker.EmbeddedKafka} (the broker, with optional SASL/SCRAM, TLS and
 * SASL_SSL listeners), {@link io.genstream.broker.SelfSignedTls} (throwaway key and trust stores
 * for tests of those listeners) and {@link io.genstream.broker.TopicReader}. The package-private
 * classes are the broker's parts: its server settings, ports, storage, the running server (its
 * start-up and shutdown), SCRAM users and the readiness probe.
 */
package io.genstream.broker;
