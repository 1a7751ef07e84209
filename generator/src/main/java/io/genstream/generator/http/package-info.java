/**
 * The generator's HTTP API: {@link io.genstream.generator.http.GeneratorHttpServer} serves
 * {@code /v1} (GenStream's API), {@code /v2} (the Open Inference Protocol), {@code /metrics} and
 * {@code /openapi.yaml} over the same {@link io.genstream.generator.GenerationEngine} as the
 * Kafka route, configured by {@link io.genstream.generator.http.HttpOptions}. Everything else in
 * this package is one route or one handler of that server.
 */
package io.genstream.generator.http;
