package io.genstream.core.messages;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

  @Test
  void keepsOrdinaryTextAsItIs() {
    assertThat(LogSafe.text("digits r-1 'x' é 数字")).isEqualTo("digits r-1 'x' é 数字");
  }

  @Test
  void showsControlCharactersAsEscapesOnOneLine() {
    String forged = "r1\n20:00:00 INFO  served request admin\r\0\t\u001b[31m\u2028\u202e";

    String safe = LogSafe.text(forged);

    assertThat(safe).isEqualTo(
        "r1\\n20:00:00 INFO  served request admin\\r\\0\\t\\u001b[31m\\u2028\\u202e");
    assertThat(safe).doesNotContainPattern("\\p{Cntrl}");
  }

  @Test
  void doublesBackslashesSoThatAnEscapeCannotBeForged() {
    assertThat(LogSafe.text("a\\nb")).isEqualTo("a\\\\nb");
    assertThat(LogSafe.text("a\nb")).isNotEqualTo(LogSafe.text("a\\nb"));
  }

  @Test
  void truncatesLongTextAndGivesItsLength() {
    String safe = LogSafe.text("x".repeat(10_000));

    assertThat(safe).isEqualTo("x".repeat(LogSafe.MAX_CHARS) + "…(10000 chars)");
  }

  @Test
  void truncationDoesNotSplitASurrogatePair() {
    String text = "x".repeat(LogSafe.MAX_CHARS - 1) + "😀" + "y";

    assertThat(LogSafe.text(text)).isEqualTo("x".repeat(LogSafe.MAX_CHARS - 1) + "…(" + (LogSafe.MAX_CHARS + 2) + " chars)");
  }

  @Test
  void nullIsNull() {
    assertThat(LogSafe.text(null)).isEqualTo("null");
  }
}
