package io.genstream.app.demo;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.EpochSource;
import io.genstream.ingest.Order;
import io.genstream.ingest.folder.FolderLayout;
import io.genstream.ingest.folder.ImageFolderSource;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.ModelSpec.Family;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The user's images for {@code genstream demo --data DIR}: in the {@link FolderLayout} given or
 * found ({@code --layout}, by default {@code auto}: class sub-folders holding every image, one
 * level down, make a labelled {@link ImageFolderSource} whose labels are the sub-folder names,
 * sorted; images only at the top level, or in a deeper tree of folders, an unlabelled
 * {@link FolderSource}; both at the top level and in sub-folders is refused as ambiguous).
 * Images are normalised to the model spec's size and channels.
 *
 * <p>A folder is finite, but the trainer reads the images topic once per group, so the demo
 * ingests the folder again and again, epoch after epoch ({@link EpochSource}), each epoch in
 * the source's {@link Order} (shuffled by default, so that a class-sorted folder does not reach
 * the trainer one class at a time), at its pace until it stops.
 *
 * @param labelNames the class names, label {@code i} is {@code labelNames.get(i)}; empty when
 *     unlabelled
 * @param layout the folder's layout and why it was chosen
 */
public record DemoData(Path dir, List<String> labelNames, EpochSource source,
    FolderLayout.Resolved layout) {

  public DemoData {
    labelNames = List.copyOf(labelNames);
  }

  /**
   * The model name a demo on {@code dir} publishes under unless {@code --model} says: the
   * folder's name, with every character a model name cannot hold ({@code [A-Za-z0-9._-]}) made
   * a {@code -}, at most 64 characters; {@code images} if nothing is left. A model of
   * {@code ~/pictures/cats-and-dogs} is {@code cats-and-dogs}, not {@code digits}.
   */
  public static String modelName(Path dir) {
    Path leaf = dir.toAbsolutePath().normalize().getFileName();
    String name = leaf == null ? "" : leaf.toString().replaceAll("[^A-Za-z0-9._-]", "-");
    name = name.replaceAll("^[-.]+|[-.]+$", "");
    if (name.length() > 64) {
      name = name.substring(0, 64);
    }
    return name.isEmpty() ? "images" : name;
  }

  /** {@link #open(Path, ModelSpec, FolderLayout)} with the layout found by its rule. */
  public static DemoData open(Path dir, ModelSpec spec) {
    return open(dir, spec, FolderLayout.AUTO);
  }

  /** {@link #open(Path, ModelSpec, FolderLayout, Order)} in the default order. */
  public static DemoData open(Path dir, ModelSpec spec, FolderLayout layout) {
    return open(dir, spec, layout, Order.defaults());
  }

  /**
   * Looks at {@code dir} and builds its source, in {@code layout} ({@link FolderLayout#AUTO}:
   * the one its rule finds), for images of {@code spec}'s size and channels, each epoch in
   * {@code order}.
   *
   * @throws IllegalArgumentException if {@code dir} is not a folder, {@code auto} finds it
   *     ambiguous, or {@code imagefolder} finds no class folders
   */
  public static DemoData open(Path dir, ModelSpec spec, FolderLayout layout, Order order) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--data must be a folder of images (or of class "
          + "sub-folders of images), got " + dir + (Files.exists(dir) ? " (not a folder)" : " (does not exist)"));
    }
    DatasetSpec dataset = new DatasetSpec(spec.imageSize(), spec.channels(), DatasetSpec.Resize.FIT);
    FolderLayout.Resolved resolved = layout.resolve(dir);
    EpochSource source = resolved.source(dir, dataset, order);
    List<String> labelNames =
        source instanceof ImageFolderSource classes ? classes.labelNames() : List.of();
    return new DemoData(dir, labelNames, source, resolved);
  }

  /** Whether the images carry labels (class folders). */
  public boolean labelled() {
    return !labelNames.isEmpty();
  }

  /**
   * The spec to train on this data: a labelled folder keeps a conditional family (cgan) with
   * {@code numClasses} = the number of classes; an unlabelled one gets dcgan unless the family
   * was chosen, and a chosen cgan is refused.
   *
   * @param familyChosen whether the user named the family ({@code --family} or a spec file)
   * @throws IllegalArgumentException naming the problem
   */
  public ModelSpec adapt(ModelSpec spec, boolean familyChosen) {
    if (labelled()) {
      if (spec.family() != Family.CGAN) {
        return spec; // dcgan or vae: trained on the images, labels ignored
      }
      if (labelNames.size() < 2) {
        throw new IllegalArgumentException("cgan needs at least 2 classes, " + dir + " has one: "
            + labelNames + "; add a class folder or use --family dcgan");
      }
      return spec.with(Map.of("numClasses", Integer.toString(labelNames.size())));
    }
    if (spec.family() == Family.CGAN) {
      if (familyChosen) {
        throw new IllegalArgumentException("--family cgan needs labelled images, but " + dir
            + " is read as a flat folder (" + layout.reason() + "): put the images in "
            + dir.resolve("<class>") + "/ (or say --layout imagefolder), or use --family dcgan"
            + " or vae");
      }
      return spec.with(Map.of("family", Family.DCGAN.id(), "numClasses", "0"));
    }
    return spec;
  }
}
