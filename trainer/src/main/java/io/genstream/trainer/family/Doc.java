package io.genstream.trainer.family;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one-line documentation of a {@link ModelSpec} setting. {@code --help}, the README table and
 * error messages read it from here, so each setting is described once, next to its declaration.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.FIELD, ElementType.METHOD,
    ElementType.PARAMETER})
public @interface Doc {
  String value();
}
