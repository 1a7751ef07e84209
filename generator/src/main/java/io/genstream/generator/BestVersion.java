package io.genstream.generator;

import io.genstream.core.messages.ModelStatus;
import java.util.List;

/**
 * What {@code version: "best"} names: the version a model's trainer promoted
 * ({@link ModelStatus#best()}), checked against the versions a generator knows. The registry
 * (which leases it) and the HTTP routes (which describe it) both resolve it here, so that they
 * answer alike.
 */
public final class BestVersion {

  private BestVersion() {}

  /**
   * The number of the version {@code best} names.
   *
   * @param status the model's latest status record, null if none was read
   * @param known the versions known, ascending
   * @return one of {@code known}
   * @throws ModelNotReadyException if no version is promoted yet, or the promoted one is newer
   *     than any known (its record is not read yet): a request waits for it
   * @throws UnknownModelException if the promoted version was removed, or none is known
   */
  public static long resolve(String model, ModelStatus status, List<Long> known) {
    if (known.isEmpty()) {
      throw new UnknownModelException("unknown model '" + model + "'");
    }
    long newest = known.get(known.size() - 1);
    if (status == null || !status.hasBest()) {
      throw new ModelNotReadyException("model '" + model + "' has no version promoted to 'best' "
          + "yet (latest is v" + newest + ", " + describe(status, newest) + ")");
    }
    long best = status.best();
    if (known.contains(best)) {
      return best;
    }
    if (best > newest) {
      // The status and the version are different keys, possibly on different partitions: the
      // status can be read first, and the version it promotes is then on its way.
      throw new ModelNotReadyException("model '" + model + "' version " + best + " is promoted "
          + "to 'best' but its record has not been read yet (latest known is v" + newest + ")");
    }
    throw new UnknownModelException("model '" + model + "' version " + best + ", promoted to "
        + "'best', was removed; known versions: " + known);
  }

  /** A version's status in words, its reason included: {@code rejected: fd 41 > 30}. */
  public static String describe(ModelStatus status, long version) {
    String judged = status == null ? null : status.statusOf(version);
    if (judged == null) {
      return "not judged yet";
    }
    String reason = status.reasonOf(version);
    return reason.isEmpty() ? judged : judged + ": " + reason;
  }
}
