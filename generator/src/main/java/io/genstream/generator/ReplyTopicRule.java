package io.genstream.generator;

import io.genstream.core.config.Topics;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.LogSafe;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which topics a request may name as its {@code replyTopic}. A requester is anyone who can write
 * to the requests topic (or call {@code POST /v1/generate?async=true}); without this rule one
 * could have results written into the pipeline's own compacted topics — a PNG keyed by a model
 * name where the trainer reads its checkpoint, or by {@code <model>/status} where generators read
 * which version is {@code best}.
 *
 * <p>The results topic is always allowed. Beyond it, only what the operator lists: exact topic
 * names, or prefixes written with a trailing {@code *} ({@code team-a.*}). The pipeline's other
 * topics and Kafka's internal ones ({@code __consumer_offsets}, …) are never allowed, and an
 * allowed prefix that would cover one of them is refused when the rule is made, so no setting can
 * open them.
 *
 * @param topics the pipeline's topics ({@link Topics#results()} is the default reply topic)
 * @param allowed the operator's entries: names, or prefixes ending in {@code *}; empty: only the
 *     results topic
 */
public record ReplyTopicRule(Topics topics, List<String> allowed) {

  /** What the settings and {@code --help} call an entry's syntax. */
  public static final String SYNTAX = "topic names, or prefixes ending in '*' (team-a.*)";
  private static final String KAFKA_INTERNAL_PREFIX = "__";

  /** @throws IllegalArgumentException naming an entry that is malformed or covers a pipeline topic */
  public ReplyTopicRule {
    Objects.requireNonNull(topics, "topics");
    allowed = List.copyOf(allowed);
    for (String entry : allowed) {
      checkEntry(topics, entry);
    }
  }

  /** Only the results topic: the default. */
  public static ReplyTopicRule resultsOnly(Topics topics) {
    return new ReplyTopicRule(topics, List.of());
  }

  /** The results topic, which every request may reply to. */
  public String resultsTopic() {
    return topics.results();
  }

  /**
   * Where {@code replyTopic} sends the results: the topic itself if allowed, the results topic
   * if it is null.
   *
   * @throws InvalidRequestException if the rule refuses it: the request's own fault, so its dead
   *     letter (or the HTTP 400) says which topics it may name
   */
  public String check(String replyTopic) {
    if (replyTopic == null || replyTopic.equals(topics.results())) {
      return topics.results();
    }
    if (isPipelineTopic(topics, replyTopic)) {
      throw new InvalidRequestException("replyTopic '" + LogSafe.text(replyTopic) + "' is one of "
          + "the pipeline's own topics, which only the pipeline writes; " + describe());
    }
    for (String entry : allowed) {
      if (isPrefix(entry) ? replyTopic.startsWith(prefixOf(entry)) : replyTopic.equals(entry)) {
        return replyTopic;
      }
    }
    throw new InvalidRequestException("replyTopic '" + LogSafe.text(replyTopic) + "' is not "
        + "allowed; " + describe() + " (the generator's --reply-topics setting)");
  }

  /** {@code requests may reply to the results topic genstream.results, or team-a.* or x}. */
  public String describe() {
    return "requests may reply to the results topic " + topics.results()
        + (allowed.isEmpty() ? " only" : ", or " + String.join(" or ", allowed));
  }

  private static void checkEntry(Topics topics, String entry) {
    if (entry == null || entry.isBlank() || entry.indexOf('*') >= 0
        && entry.indexOf('*') != entry.length() - 1) {
      throw new IllegalArgumentException("reply topic entries are " + SYNTAX + ", got '"
          + entry + "'");
    }
    List<String> covered = new ArrayList<>();
    for (String own : topics.all()) {
      if (!own.equals(topics.results())
          && (isPrefix(entry) ? own.startsWith(prefixOf(entry)) : own.equals(entry))) {
        covered.add(own);
      }
    }
    if (isPrefix(entry) && KAFKA_INTERNAL_PREFIX.startsWith(prefixOf(entry))
        || entry.startsWith(KAFKA_INTERNAL_PREFIX)) {
      covered.add("Kafka's internal topics (" + KAFKA_INTERNAL_PREFIX + "*)");
    }
    if (!covered.isEmpty()) {
      throw new IllegalArgumentException("reply topic entry '" + entry + "' would let requests "
          + "write into " + String.join(", ", covered) + ", which only the pipeline writes; "
          + "allow a narrower prefix or the topics by name");
    }
  }

  private static boolean isPipelineTopic(Topics topics, String topic) {
    return topics.all().contains(topic) || topic.startsWith(KAFKA_INTERNAL_PREFIX);
  }

  private static boolean isPrefix(String entry) {
    return entry.endsWith("*");
  }

  private static String prefixOf(String entry) {
    return entry.substring(0, entry.length() - 1);
  }
}
