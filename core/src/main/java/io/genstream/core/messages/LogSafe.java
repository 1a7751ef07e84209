package io.genstream.core.messages;

/**
 * Text from outside (a request's fields, a reason quoting them) made safe for one log line:
 * control characters are shown as escapes ({@code \n}, {@code \r}, {@code \t}, {@code \0},
 * other controls and Unicode line or paragraph separators as {@code \}{@code uXXXX}), a
 * backslash is doubled so that an escape cannot be forged, and text longer than
 * {@value #MAX_CHARS} characters is cut there and followed by its full length.
 *
 * <pre>LogSafe.text("a\nb") → a\nb (4 characters, on one line)</pre>
 */
public final class LogSafe {

  /** Characters of the original kept before truncation. */
  public static final int MAX_CHARS = 300;

  private LogSafe() {}

  /** The escaped, possibly truncated form of {@code value}'s string form; {@code null} stays "null". */
  public static String text(Object value) {
    if (value == null) {
      return "null";
    }
    String text = value.toString();
    int end = text.length();
    if (end > MAX_CHARS) {
      end = MAX_CHARS;
      if (Character.isHighSurrogate(text.charAt(end - 1))) {
        end--; // do not split a surrogate pair
      }
    }
    StringBuilder out = new StringBuilder(end + 16);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\0' -> out.append("\\0");
        default -> {
          if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
              || Character.getType(c) == Character.FORMAT) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    if (end < text.length()) {
      out.append("…(").append(text.length()).append(" chars)");
    }
    return out.toString();
  }
}
