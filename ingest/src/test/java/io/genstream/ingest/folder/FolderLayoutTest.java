package io.genstream.ingest.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.TestFiles;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The auto rule on real folders, and the explicit layouts that overrule it. */
class FolderLayoutTest {

  @TempDir Path dir;

  @Test
  void imagesOneLevelDownInClassFoldersAreAnImageFolder() throws Exception {
    image("cat/a.png");
    image("dog/b.jpg");
    Files.writeString(dir.resolve("README.txt"), "a data set"); // not an image: no mix
    Files.createDirectories(dir.resolve(".thumbs"));
    image(".thumbs/t.png"); // hidden, as the sources skip it
    image("cat/.hidden.png");

    FolderLayout.Resolved resolved = FolderLayout.AUTO.resolve(dir);
    assertThat(resolved.layout()).isEqualTo(FolderLayout.IMAGE_FOLDER);
    assertThat(resolved.labelled()).isTrue();
    assertThat(resolved.source(dir, new DatasetSpec(8, 1, Resize.FIT)))
        .isInstanceOfSatisfying(ImageFolderSource.class,
            s -> assertThat(s.labelNames()).containsExactly("cat", "dog"));
  }

  @Test
  void imagesAtTheTopLevelOnlyOrNoneAreFlat() throws Exception {
    assertThat(FolderLayout.AUTO.resolve(dir).layout()).isEqualTo(FolderLayout.FLAT);
    image("a.png");
    image("B.JPEG");
    Files.createDirectories(dir.resolve("empty-sub-folder"));
    FolderLayout.Resolved resolved = FolderLayout.AUTO.resolve(dir);
    assertThat(resolved.layout()).isEqualTo(FolderLayout.FLAT);
    assertThat(resolved.reason()).isEqualTo("images at the top level only");
    assertThat(resolved.source(dir, new DatasetSpec(8, 1, Resize.FIT)))
        .isInstanceOf(FolderSource.class);
  }

  @Test
  void aDeeperTreeOfFoldersIsFlatNotClasses() throws Exception {
    image("2024/05/a.png");
    image("2024/06/b.png");
    image("2025/c.png");
    FolderLayout.Resolved resolved = FolderLayout.AUTO.resolve(dir);
    assertThat(resolved.layout()).isEqualTo(FolderLayout.FLAT);
    assertThat(resolved.reason()).contains("deeper than one sub-folder", "2024/05/a.png",
        "--layout imagefolder");
  }

  @Test
  void imagesBothAtTheTopLevelAndInSubFoldersAreRefusedAsAmbiguous() throws Exception {
    image("stray.png");
    image("cat/a.png");
    image("dog/b.png");
    assertThatThrownBy(() -> FolderLayout.AUTO.resolve(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both at its top level (stray.png)")
        .hasMessageContaining("in sub-folders (cat/a.png, dog/b.png)")
        .hasMessageContaining("--layout flat")
        .hasMessageContaining("--layout imagefolder");

    // Explicit layouts are taken as said.
    assertThat(FolderLayout.FLAT.resolve(dir).layout()).isEqualTo(FolderLayout.FLAT);
    assertThat(FolderLayout.IMAGE_FOLDER.resolve(dir).source(dir, new DatasetSpec(8, 1, Resize.FIT)))
        .isInstanceOfSatisfying(ImageFolderSource.class,
            s -> assertThat(s.labelNames()).containsExactly("cat", "dog"));
  }

  @Test
  void parsesTheCommandLineNamesAndRefusesOthers() {
    assertThat(FolderLayout.parse("ImageFolder")).isEqualTo(FolderLayout.IMAGE_FOLDER);
    assertThat(FolderLayout.parse("flat")).isEqualTo(FolderLayout.FLAT);
    assertThat(FolderLayout.parse("auto")).isEqualTo(FolderLayout.AUTO);
    assertThatThrownBy(() -> FolderLayout.parse("tree"))
        .hasMessage("layout must be one of [flat, imagefolder, auto], got 'tree'");
    assertThatThrownBy(() -> FolderLayout.AUTO.resolve(dir.resolve("missing")))
        .hasMessageContaining("not a folder");
  }

  private void image(String relative) throws Exception {
    TestFiles.write(TestFiles.noise(4, 4, BufferedImage.TYPE_BYTE_GRAY, relative.hashCode()),
        "png", dir.resolve(relative));
  }
}
