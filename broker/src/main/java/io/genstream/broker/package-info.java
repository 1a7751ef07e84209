/** An in-process single-node Kafka broker (KRaft) for {@code genstream demo} and tests. */
package io.genstream.broker;
