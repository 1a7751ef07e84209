package io.genstream.core.messages;

/** A request that cannot be served; the message is the dead-letter reason a user reads. */
public class InvalidRequestException extends IllegalArgumentException {
  public InvalidRequestException(String message) {
    super(message);
  }
}
