package io.genstream.generator;

import io.genstream.core.messages.InvalidRequestException;

/**
 * A request named a model or version the registry does not have (or cannot load). The message
 * names the value asked for and the valid choices, e.g. {@code unknown model 'foo', known
 * models: [digits]}; it is the dead-letter reason (and, later, a 404 body).
 */
public class UnknownModelException extends InvalidRequestException {
  public UnknownModelException(String message) {
    super(message);
  }
}
