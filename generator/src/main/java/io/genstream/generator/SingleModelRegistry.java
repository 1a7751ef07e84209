package io.genstream.generator;

import java.util.List;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * A registry of one loaded model version and nothing to follow: the engine alone, without
 * Kafka (benchmarks, tests, an application embedding the engine). See {@link ModelRegistry#of}. Serves {@code latest} and the version's number. Owns the model and closes it in
 * {@link #close()} (after the engine using it was closed). Thread-safe.
 */
final class SingleModelRegistry implements ModelRegistry {

  private final GenerativeModel model;
  private final String name;
  private final long version;

  SingleModelRegistry(GenerativeModel model) {
    this.model = model;
    this.name = model.manifest().name();
    this.version = model.manifest().version();
  }

  @Override
  public ModelRegistry start() {
    return this;
  }

  @Override
  public Mono<Void> ready() {
    return Mono.empty();
  }

  @Override
  public ModelLease acquire(String model, String version) {
    if (!name.equals(model)) {
      throw new UnknownModelException("unknown model '" + model + "', known models: [" + name + "]");
    }
    if (!version.equals("latest") && !version.equals(String.valueOf(this.version))) {
      throw new UnknownModelException("unknown version " + version + " of model '" + model
          + "', known versions: [" + this.version + "]");
    }
    return new ModelLease() {
      @Override
      public GenerativeModel model() {
        return SingleModelRegistry.this.model;
      }

      @Override
      public void close() {
        // Nothing to release: the model lives as long as this registry.
      }
    };
  }

  @Override
  public Map<String, List<Long>> versions() {
    return Map.of(name, List.of(version));
  }

  @Override
  public void close() {
    model.close();
  }
}
