package io.genstream.sinks.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.sinks.file.ContactSheetSink.Grouping;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContactSheetSinkTest {

  private static final int SIDE = 8;
  private static final int STEP = SIDE + ContactSheetSink.BORDER;

  @TempDir Path dir;

  @Test
  void drawsEachImageOfARequestAtItsIndex() throws Exception {
    try (ContactSheetSink sink = new ContactSheetSink(dir, Grouping.REQUEST, 64)) {
      sink.write(result("r1", 3, 4, 200)).block();
      sink.write(result("r1", 0, 4, 50)).block();

      ImageTensor sheet = read(sink, result("r1", 0, 4, 0));
      assertThat(sheet.width()).isEqualTo(2 * STEP + ContactSheetSink.BORDER); // 2×2 for 4
      assertThat(cell(sheet, 0, 0)).isEqualTo(50);
      assertThat(cell(sheet, 1, 1)).isEqualTo(200);
      assertThat(cell(sheet, 0, 1)).isEqualTo(ContactSheetSink.BORDER_GRAY);
    }
  }

  @Test
  void aRestartedSinkCompletesTheSheetItStarted() throws Exception {
    try (ContactSheetSink sink = new ContactSheetSink(dir, Grouping.REQUEST, 64)) {
      sink.write(result("r1", 0, 4, 50)).block();
    }
    try (ContactSheetSink sink = new ContactSheetSink(dir, Grouping.REQUEST, 64)) {
      sink.write(result("r1", 2, 4, 120)).block();

      ImageTensor sheet = read(sink, result("r1", 0, 4, 0));
      assertThat(cell(sheet, 0, 0)).isEqualTo(50);
      assertThat(cell(sheet, 1, 0)).isEqualTo(120);
    }
  }

  @Test
  void aVersionSheetFillsInArrivalOrderUpToItsCells() throws Exception {
    try (ContactSheetSink sink = new ContactSheetSink(dir, Grouping.VERSION, 3)) {
      for (int i = 0; i < 5; i++) {
        sink.write(result("req" + i, 0, 1, 10 * (i + 1))).block();
      }

      ImageTensor sheet = read(sink, result("any", 0, 1, 0));
      assertThat(sheet.width()).isEqualTo(3 * STEP + ContactSheetSink.BORDER);
      assertThat(sheet.height()).isEqualTo(STEP + ContactSheetSink.BORDER);
      assertThat(new int[] {cell(sheet, 0, 0), cell(sheet, 0, 1), cell(sheet, 0, 2)})
          .containsExactly(10, 20, 30);
    }
  }

  @Test
  void refusesAResultOfAnotherSizeThanItsSheet() {
    try (ContactSheetSink sink = new ContactSheetSink(dir, Grouping.VERSION, 4)) {
      sink.write(result("a", 0, 1, 10)).block();
      GeneratedImage bigger = new GeneratedImage("b", "digits", 2, 1, 0, 1, 3,
          new ImageTensor(1, SIDE * 2, SIDE * 2, new byte[SIDE * SIDE * 4]).toPng());

      assertThatThrownBy(() -> sink.write(bigger).block())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("contact sheet's cells are 1x8x8");
    }
  }

  @Test
  void keepsABoundedNumberOfSheetsInMemory() {
    try (ContactSheetSink sink = new ContactSheetSink(dir, Grouping.REQUEST, 4)) {
      for (int r = 0; r < ContactSheetSink.CACHED_SHEETS + 10; r++) {
        sink.write(result("r" + r, 0, 2, 1)).block();
      }

      assertThat(sink.cachedSheets()).isEqualTo(ContactSheetSink.CACHED_SHEETS);
    }
  }

  private static ImageTensor read(ContactSheetSink sink, GeneratedImage any) throws Exception {
    return ImageTensor.fromPng(Files.readAllBytes(sink.root().resolve(sink.relativePath(any))), 1);
  }

  private static int cell(ImageTensor sheet, int row, int column) {
    int x = ContactSheetSink.BORDER + column * STEP + SIDE / 2;
    int y = ContactSheetSink.BORDER + row * STEP + SIDE / 2;
    return sheet.chw()[y * sheet.width() + x] & 0xff;
  }

  private static GeneratedImage result(String request, int index, int count, int level) {
    byte[] pixels = new byte[SIDE * SIDE];
    Arrays.fill(pixels, (byte) level);
    return new GeneratedImage(request, "digits", 2, 1, index, count, 3,
        new ImageTensor(1, SIDE, SIDE, pixels).toPng());
  }
}
