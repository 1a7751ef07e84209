package io.genstream.ingest.folder;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.EpochSource;
import io.genstream.ingest.Order;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * How a folder of images is laid out: {@link #FLAT} (every image under it, recursively,
 * unlabelled: a {@link FolderSource}), {@link #IMAGE_FOLDER} (one sub-folder per class: an
 * {@link ImageFolderSource}), or {@link #AUTO}, which tells them apart by one rule:
 *
 * <ul>
 *   <li>no image in any sub-folder (or none at all): flat;</li>
 *   <li>no image at the top level, and every image exactly one level down
 *       ({@code DIR/<class>/<image>}): an ImageFolder, the sub-folders its classes;</li>
 *   <li>no image at the top level, and some deeper ({@code DIR/2024/05/<image>}): flat, a tree of
 *       folders rather than classes;</li>
 *   <li>images at the top level and in sub-folders: refused as ambiguous, with the two explicit
 *       layouts to choose from.</li>
 * </ul>
 *
 * <p>"Image" here is a file named as one ({@code .png}, {@code .jpg}, {@code .jpeg},
 * {@code .bmp}, {@code .gif}, any case), so that a README or LICENSE beside the class folders
 * does not make a mix; names starting with {@code .} are skipped, as the sources skip them. The
 * sources themselves still recognise images by content.
 */
public enum FolderLayout {
  FLAT("flat"),
  IMAGE_FOLDER("imagefolder"),
  AUTO("auto");

  private static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");
  private static final int EXAMPLES = 3;

  private final String id;

  FolderLayout(String id) {
    this.id = id;
  }

  /** The name on the command line: {@code flat}, {@code imagefolder}, {@code auto}. */
  public String id() {
    return id;
  }

  /**
   * The layout named {@code id} (any case).
   *
   * @throws IllegalArgumentException naming the value and the choices
   */
  public static FolderLayout parse(String id) {
    for (FolderLayout layout : values()) {
      if (layout.id.equalsIgnoreCase(id)) {
        return layout;
      }
    }
    throw new IllegalArgumentException("layout must be one of "
        + Arrays.stream(values()).map(FolderLayout::id).toList() + ", got '" + id + "'");
  }

  /**
   * The layout of {@code dir}: this one if explicit, else the one {@link #AUTO}'s rule finds,
   * with why, in words a startup line can print.
   *
   * @throws IllegalArgumentException if {@code dir} is not a folder, or {@link #AUTO} finds
   *     images both at the top level and in sub-folders
   * @throws UncheckedIOException if the folder cannot be listed
   */
  public Resolved resolve(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("not a folder: " + dir);
    }
    if (this != AUTO) {
      return new Resolved(this, "--layout " + id);
    }
    Found top = new Found();
    Found oneDown = new Found();
    Found deeper = new Found();
    Found nested = new Found();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(Files::isRegularFile).map(dir::relativize).filter(FolderLayout::visibleImage)
          .forEach(relative -> {
            int depth = relative.getNameCount();
            (depth == 1 ? top : depth == 2 ? oneDown : deeper).add(relative);
            if (depth > 1) {
              nested.add(relative);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    if (nested.isEmpty()) {
      return new Resolved(FLAT, top.isEmpty() ? "no images named .png, .jpg, .jpeg, .bmp or .gif"
          : "images at the top level only");
    }
    if (!top.isEmpty()) {
      throw new IllegalArgumentException(dir + " has images both at its top level ("
          + top + ") and in sub-folders (" + nested + "), so it is neither "
          + "a flat folder nor one sub-folder per class: choose --layout flat (every image, "
          + "unlabelled) or --layout imagefolder (the sub-folders are the classes; images at "
          + "the top level are dead-lettered), or move the top-level images into class folders");
    }
    if (deeper.isEmpty()) {
      return new Resolved(IMAGE_FOLDER, "every image is one level down, in a class sub-folder");
    }
    return new Resolved(FLAT, "images lie deeper than one sub-folder (" + deeper
        + "), a tree of folders rather than classes; --layout imagefolder takes the first "
        + "level as classes");
  }

  /** A layout found for a folder, and why; never {@link #AUTO}. */
  public record Resolved(FolderLayout layout, String reason) {

    /** Whether the images carry class labels. */
    public boolean labelled() {
      return layout == IMAGE_FOLDER;
    }

    /**
     * The source reading {@code dir} in this layout, normalising images to {@code spec}, each
     * epoch in the default order ({@link Order#defaults()}).
     */
    public EpochSource source(Path dir, DatasetSpec spec) {
      return source(dir, spec, Order.defaults());
    }

    /** The source reading {@code dir} in this layout, each epoch in {@code order}. */
    public EpochSource source(Path dir, DatasetSpec spec, Order order) {
      return layout == IMAGE_FOLDER
          ? new ImageFolderSource(dir, spec, ImageFiles.DEFAULT_WORKERS, order)
          : new FolderSource(dir, spec, null, ImageFiles.DEFAULT_WORKERS, order);
    }
  }

  private static boolean visibleImage(Path relative) {
    for (Path part : relative) {
      if (part.toString().startsWith(".")) {
        return false;
      }
    }
    String name = relative.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  /**
   * Images found at one depth: how many, and the first few by path for a message, so that
   * memory stays small however large the folder.
   */
  private static final class Found {
    private final TreeSet<Path> examples = new TreeSet<>();
    private long count;

    void add(Path relative) {
      count++;
      examples.add(relative);
      if (examples.size() > EXAMPLES) {
        examples.pollLast();
      }
    }

    boolean isEmpty() {
      return count == 0;
    }

    @Override
    public String toString() {
      List<String> names = examples.stream().map(p -> p.toString().replace('\\', '/')).toList();
      return String.join(", ", names) + (count > EXAMPLES ? ", ... " + count + " in all" : "");
    }
  }
}
