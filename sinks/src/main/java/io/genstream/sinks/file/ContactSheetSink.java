package io.genstream.sinks.file;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.image.InvalidImageException;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.sinks.ResultSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;

/**
 * Contact sheets: one grid PNG per request or per model version, for a person to look at what a
 * model makes. Cells are drawn at their image's size with a 2-pixel gray border.
 *
 * <ul>
 *   <li>{@link Grouping#REQUEST}: {@code OUT/<model>/<version>/sheets/<cleaned-id>-<hash>.png},
 *       the request's images at their {@code index} in a near-square grid sized for its
 *       {@code count}. A redelivered result repaints its own cell, and after a restart the sheet
 *       is read back from disk, so sheets come out whole however often the sink restarts.
 *   <li>{@link Grouping#VERSION}: {@code OUT/<model>/<version>/sheet.png}, the version's first
 *       {@code maxCells} results in arrival order, 10 to a row. Placement lives in memory: a
 *       restarted sink starts each version's sheet afresh.
 * </ul>
 * Images past {@code maxCells} are accepted and not drawn. Every write replaces the sheet
 * durably ({@link DurableFiles}) before it completes, so the result's offset is committed only
 * once its cell is on disk. Memory is bounded: at most {@value #CACHED_SHEETS} sheets are kept
 * in memory (least recently used first out).
 *
 * <p>A result whose size differs from its sheet's cells fails permanently (it goes to the
 * dead-letter topic with the reason). Thread-safe; writes are serialised.
 */
public final class ContactSheetSink implements ResultSink {

  /** What one sheet collects. */
  public enum Grouping { REQUEST, VERSION }

  static final int BORDER = 2;
  static final int BORDER_GRAY = 96;
  static final int CACHED_SHEETS = 32;
  private static final int VERSION_COLUMNS = 10;

  private final Path root;
  private final Grouping grouping;
  private final int maxCells;
  private final DurableFiles.Mover mover = DurableFiles::moveAtomically;
  // Access-ordered LRU of the sheets being filled, by file.
  private final Map<Path, Sheet> sheets = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Path, Sheet> eldest) {
      return size() > CACHED_SHEETS;
    }
  };
  private boolean closed;

  /**
   * @param maxCells cells per sheet, 1 to 1024
   * @throws UncheckedIOException if {@code root} cannot be created
   */
  public ContactSheetSink(Path root, Grouping grouping, int maxCells) {
    if (maxCells < 1 || maxCells > 1024) {
      throw new IllegalArgumentException("maxCells must be 1..1024, got " + maxCells);
    }
    this.grouping = grouping;
    this.maxCells = maxCells;
    try {
      this.root = Files.createDirectories(root).toAbsolutePath();
      DurableFiles.deleteTempFiles(this.root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open contact sheets at " + root, e);
    }
  }

  @Override
  public String name() {
    return "sheets";
  }

  public Path root() {
    return root;
  }

  /** Where {@code image}'s sheet is, relative to the root. */
  public Path relativePath(GeneratedImage image) {
    Path version = Path.of(FileLayout.clean(image.model()), Long.toString(image.version()));
    return grouping == Grouping.VERSION
        ? version.resolve("sheet.png")
        : version.resolve("sheets").resolve(FileLayout.clean(image.requestId()) + "-"
            + FileLayout.hash(image.model(), image.requestId()) + ".png");
  }

  @Override
  public Mono<Void> write(GeneratedImage image) {
    return Mono.fromRunnable(() -> store(image));
  }

  private synchronized void store(GeneratedImage image) {
    if (closed) {
      throw new IllegalStateException("contact sheets at " + root + " are closed");
    }
    ImageTensor cell = decode(image);
    Path file = root.resolve(relativePath(image));
    Sheet sheet = sheets.get(file);
    if (sheet == null) {
      sheet = open(file, image, cell);
      sheets.put(file, sheet);
    }
    int slot = grouping == Grouping.VERSION ? sheet.filled : image.index();
    if (slot >= sheet.cells()) {
      return; // past maxCells: accepted, not drawn
    }
    sheet.paint(slot, cell, image);
    if (grouping == Grouping.VERSION) {
      sheet.filled++;
    }
    try {
      DurableFiles.replace(root, file, sheet.image().toPng(), mover);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  private Sheet open(Path file, GeneratedImage image, ImageTensor cell) {
    int cells = grouping == Grouping.VERSION ? maxCells
        : Math.min(maxCells, Math.max(1, image.count()));
    int columns = grouping == Grouping.VERSION ? Math.min(VERSION_COLUMNS, cells)
        : (int) Math.ceil(Math.sqrt(cells));
    Sheet sheet = new Sheet(cell.channels(), cell.height(), cell.width(), cells, columns);
    if (grouping == Grouping.REQUEST && Files.isRegularFile(file)) {
      sheet.restore(file);
    }
    return sheet;
  }

  private static ImageTensor decode(GeneratedImage image) {
    if (image.raw()) {
      String[] dims = image.shape().split(",");
      return new ImageTensor(Integer.parseInt(dims[0].trim()), Integer.parseInt(dims[1].trim()),
          Integer.parseInt(dims[2].trim()), image.data());
    }
    try {
      return ImageTensor.fromPng(image.data(), 1);
    } catch (InvalidImageException e) {
      return ImageTensor.fromPng(image.data(), 3); // a colour result
    }
  }

  /** Sheets held in memory now, at most {@value #CACHED_SHEETS}. */
  synchronized int cachedSheets() {
    return sheets.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    sheets.clear();
  }

  /** One grid being filled: its pixels and how many cells are taken (per-version sheets). */
  private static final class Sheet {
    final int channels;
    final int cellHeight;
    final int cellWidth;
    final int columns;
    final int rows;
    final int count;
    final int width;
    final int height;
    final byte[] chw;
    int filled;

    Sheet(int channels, int cellHeight, int cellWidth, int cells, int columns) {
      this.channels = channels;
      this.cellHeight = cellHeight;
      this.cellWidth = cellWidth;
      this.count = cells;
      this.columns = columns;
      this.rows = (cells + columns - 1) / columns;
      this.width = columns * (cellWidth + BORDER) + BORDER;
      this.height = rows * (cellHeight + BORDER) + BORDER;
      this.chw = new byte[channels * width * height];
      Arrays.fill(chw, (byte) BORDER_GRAY);
    }

    int cells() {
      return count;
    }

    void paint(int slot, ImageTensor cell, GeneratedImage image) {
      if (cell.channels() != channels || cell.height() != cellHeight
          || cell.width() != cellWidth) {
        throw new IllegalArgumentException("result " + image.requestId() + "#" + image.index()
            + " is " + cell.shape() + " but its contact sheet's cells are " + channels + "x"
            + cellHeight + "x" + cellWidth);
      }
      int x0 = BORDER + (slot % columns) * (cellWidth + BORDER);
      int y0 = BORDER + (slot / columns) * (cellHeight + BORDER);
      for (int c = 0; c < channels; c++) {
        for (int y = 0; y < cellHeight; y++) {
          System.arraycopy(cell.chw(), (c * cellHeight + y) * cellWidth, chw,
              (c * height + y0 + y) * width + x0, cellWidth);
        }
      }
    }

    /** Starts from the sheet a previous run wrote, if it has this sheet's shape. */
    void restore(Path file) {
      try {
        ImageTensor previous = ImageTensor.fromPng(Files.readAllBytes(file), channels);
        if (previous.width() == width && previous.height() == height) {
          System.arraycopy(previous.chw(), 0, chw, 0, chw.length);
        }
      } catch (IOException | IllegalArgumentException e) {
        // Unreadable or another shape: the cells are repainted as their results come.
      }
    }

    ImageTensor image() {
      return new ImageTensor(channels, height, width, chw);
    }
  }
}
