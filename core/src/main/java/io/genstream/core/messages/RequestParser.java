package io.genstream.core.messages;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Parses {@link GenerationRequest}s with their limits checked before any work: the size of the
 * bytes before parsing; field names' length, nesting and number lengths while parsing (Jackson's
 * {@link StreamReadConstraints}, so an oversized name is refused before it is allocated);
 * duplicate keys (an error, not "the last one wins"). A string value may be as long as the
 * request, since a variations request's {@code image} takes nearly all of it; every other string
 * is held to {@code maxStringLength} by name, right after parsing, and arrays to their sizes
 * before anything is allocated for them ({@link GenerationRequest}).
 * Thread-safe.
 */
public final class RequestParser {

  public static final int DEFAULT_MAX_REQUEST_BYTES = 64 * 1024;
  public static final int DEFAULT_MAX_STRING_LENGTH = 256;
  /**
   * Upper bound of {@code maxRequestBytes}: a refused request is dead-lettered with its original
   * bytes, and must fit a topic with the broker's default {@code max.message.bytes} (1 MiB).
   */
  public static final int MAX_REQUEST_BYTES_LIMIT = 512 * 1024;
  /** A request nests three deep at most (request, latents, row): nothing legitimate is deeper. */
  private static final int MAX_NESTING_DEPTH = 8;
  /** Longer than any long (19 digits and a sign), short enough to refuse giant numbers early. */
  private static final int MAX_NUMBER_LENGTH = 32;

  private static final RequestParser DEFAULT =
      new RequestParser(DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_STRING_LENGTH);

  private final int maxRequestBytes;
  private final int maxStringLength;
  private final ObjectReader reader;

  /**
   * @param maxRequestBytes largest request, in bytes of JSON, 2..{@value #MAX_REQUEST_BYTES_LIMIT}
   * @param maxStringLength longest field name and text field ({@code requestId}, {@code model},
   *     {@code version}, {@code format}, {@code replyTopic}), in characters, 1..maxRequestBytes
   * @throws IllegalArgumentException naming the setting and the value
   */
  public RequestParser(int maxRequestBytes, int maxStringLength) {
    checkLimits(maxRequestBytes, maxStringLength);
    this.maxRequestBytes = maxRequestBytes;
    this.maxStringLength = maxStringLength;
    JsonFactory factory = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder()
            // Only the request's size bounds a value (the image); RequestFields bounds text fields.
            .maxStringLength(maxRequestBytes)
            .maxNameLength(maxStringLength)
            .maxNestingDepth(MAX_NESTING_DEPTH)
            .maxNumberLength(MAX_NUMBER_LENGTH)
            .maxDocumentLength(maxRequestBytes)
            .build())
        .build();
    // Fractions as BigDecimal, so that a float is rounded once from its decimal text.
    this.reader = new ObjectMapper(factory).reader()
        .with(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  }

  /** The parser with the default limits. */
  public static RequestParser defaults() {
    return DEFAULT;
  }

  /**
   * Validates limits as {@link #RequestParser(int, int)} does, for options that hold them.
   *
   * @throws IllegalArgumentException naming the setting and the value
   */
  public static void checkLimits(int maxRequestBytes, int maxStringLength) {
    if (maxRequestBytes < 2 || maxRequestBytes > MAX_REQUEST_BYTES_LIMIT) {
      throw new IllegalArgumentException("maxRequestBytes must be 2.." + MAX_REQUEST_BYTES_LIMIT
          + ", got " + maxRequestBytes);
    }
    if (maxStringLength < 1 || maxStringLength > maxRequestBytes) {
      throw new IllegalArgumentException("maxStringLength must be 1..maxRequestBytes ("
          + maxRequestBytes + "), got " + maxStringLength);
    }
  }

  public int maxRequestBytes() {
    return maxRequestBytes;
  }

  public int maxStringLength() {
    return maxStringLength;
  }

  /**
   * Parses and validates a request's JSON bytes; absent {@code requestId} and {@code seed} take
   * the given defaults.
   *
   * @throws InvalidRequestException with a message fit for the dead-letter reason, naming the
   *     limit a request broke
   */
  public GenerationRequest parse(byte[] json, String defaultRequestId, long defaultSeed) {
    return parse(json, defaultRequestId, () -> defaultSeed);
  }

  /**
   * {@link #parse(byte[], String, long)} with the default seed computed only for a request that
   * has none (a service that derives it from a hash of the record's place saves the hash for
   * the requests that carry their seed).
   *
   * @throws InvalidRequestException as {@link #parse(byte[], String, long)}
   */
  public GenerationRequest parse(byte[] json, String defaultRequestId, LongSupplier defaultSeed) {
    if (json == null || json.length == 0) {
      throw new InvalidRequestException("empty request");
    }
    if (json.length > maxRequestBytes) {
      throw new InvalidRequestException("request of " + json.length
          + " bytes exceeds maxRequestBytes " + maxRequestBytes);
    }
    JsonNode node;
    try {
      node = reader.readTree(json);
    } catch (StreamConstraintsException e) {
      throw new InvalidRequestException("request exceeds a limit (maxStringLength "
          + maxStringLength + " for field names, nesting depth " + MAX_NESTING_DEPTH
          + ", number length " + MAX_NUMBER_LENGTH + "): " + e.getOriginalMessage());
    } catch (JsonParseException e) {
      String message = e.getOriginalMessage();
      if (message != null && message.startsWith("Duplicate field")) {
        throw new InvalidRequestException("duplicate key in request: " + message);
      }
      throw new InvalidRequestException("malformed JSON: " + message);
    } catch (JsonProcessingException e) {
      throw new InvalidRequestException("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new InvalidRequestException("unreadable request: " + e.getMessage());
    }
    return RequestFields.read(node, maxStringLength, defaultRequestId, defaultSeed);
  }
}
