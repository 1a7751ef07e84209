package io.genstream.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.genstream.app.demo.DemoData;
import io.genstream.ingest.folder.FolderLayout;
import io.genstream.trainer.family.ModelSpec;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code genstream demo --data DIR [--layout …]}: which folders are class folders is a rule, not
 * "any sub-folder"; an ambiguous folder is refused before anything starts, and an explicit
 * layout overrules the rule.
 */
class DemoDataLayoutTest extends CliTest {

  @TempDir Path data;

  @Test
  void aFolderOfImagesAndClassFoldersIsRefusedUnlessTheLayoutIsSaid() throws Exception {
    image("stray.png");
    image("cat/a.png");
    image("dog/b.png");

    assertThat(run("demo", "--data", data.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("both at its top level (stray.png)", "--layout flat",
        "--layout imagefolder");

    ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.CGAN);
    DemoData flat = DemoData.open(data, spec, FolderLayout.FLAT);
    assertThat(flat.labelled()).isFalse();
    assertThat(flat.adapt(spec, false).family()).isEqualTo(ModelSpec.Family.DCGAN);
    DemoData classes = DemoData.open(data, spec, FolderLayout.IMAGE_FOLDER);
    assertThat(classes.labelNames()).containsExactly("cat", "dog");
    assertThat(classes.adapt(spec, false).numClasses()).isEqualTo(2);
  }

  @Test
  void aTreeOfDatedFoldersIsUnlabelledNotClasses() throws Exception {
    image("2024/05/a.png");
    image("2024/06/b.png");
    ModelSpec spec = ModelSpec.defaults(ModelSpec.Family.CGAN);
    DemoData auto = DemoData.open(data, spec);
    assertThat(auto.labelled()).isFalse();
    assertThat(auto.layout().reason()).contains("deeper than one sub-folder");

    assertThat(run("demo", "--data", data.toString(), "--family", "cgan")).isEqualTo(2);
    assertThat(err.toString()).contains("--family cgan needs labelled images",
        "deeper than one sub-folder", "--layout imagefolder");
  }

  @Test
  void aBadLayoutOrOneWithoutDataIsAUsageError() {
    assertThat(run("demo", "--data", data.toString(), "--layout", "tree")).isEqualTo(2);
    assertThat(err.toString()).contains("layout must be one of [flat, imagefolder, auto], got 'tree'");
    assertThat(run("demo", "--layout", "flat")).isEqualTo(2);
    assertThat(err.toString()).contains("--layout is for --data DIR");
  }

  @Test
  void theModelIsNamedAfterTheDataFolder() {
    assertThat(DemoData.modelName(Path.of("/home/me/pictures/cats-and-dogs"))).isEqualTo("cats-and-dogs");
    assertThat(DemoData.modelName(Path.of("/home/me/my pictures (2024)/")))
        .isEqualTo("my-pictures--2024");
    assertThat(DemoData.modelName(Path.of("/home/me/фото"))).isEqualTo("images");
    assertThat(DemoData.modelName(Path.of("/"))).isEqualTo("images");
    assertThat(DemoData.modelName(Path.of("/d/" + "x".repeat(100)))).hasSize(64);
  }

  private void image(String relative) throws Exception {
    Path file = data.resolve(relative);
    Files.createDirectories(file.getParent());
    ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY), "png", file.toFile());
  }
}
