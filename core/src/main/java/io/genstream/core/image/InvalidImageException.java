package io.genstream.core.image;

/** Bytes that do not decode to an image; the message is the dead-letter reason. */
public class InvalidImageException extends IllegalArgumentException {
  public InvalidImageException(String message) {
    super(message);
  }
}
