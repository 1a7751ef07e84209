package io.genstream.ingest.idx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.DatasetSpec.Resize;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.TestFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {

  @TempDir Path dir;

  private final DatasetSpec spec = new DatasetSpec(2, 1, Resize.FIT);

  @Test
  void extraDataAfterTheDeclaredCountSendsAllThenOneRejection() throws Exception {
    Path images = Files.write(dir.resolve("i"), TestFiles.idxImages(2, 2, 2, new byte[4 * 2 + 3]));
    Path labels = Files.write(dir.resolve("l"), TestFiles.idxLabels(2, new byte[] {4, 5}));
    List<SourceItem> items = new IdxSource(images, labels, spec).items().collectList().block();
    assertThat(items).hasSize(3);
    assertThat(items.subList(0, 2)).allMatch(i -> i instanceof SourceItem.Image);
    assertThat(((SourceItem.Rejection) items.get(2)).reason()).contains("3 bytes after the 2 images");
  }

  @Test
  void aShortLabelFileIsNamed() throws Exception {
    Path images = Files.write(dir.resolve("i"), TestFiles.idxImages(2, 2, 2, new byte[8]));
    Path labels = Files.write(dir.resolve("l"), TestFiles.idxLabels(2, new byte[] {4}));
    List<SourceItem> items = new IdxSource(images, labels, spec).items().collectList().block();
    assertThat(items).hasSize(2);
    SourceItem.Rejection rejection = (SourceItem.Rejection) items.get(1);
    assertThat(rejection.origin()).isEqualTo(labels.toString());
    assertThat(rejection.reason()).contains("declares 2 labels, the file holds 1");
  }

  @Test
  void anEmptyFileIsOneRejection() throws Exception {
    Path images = Files.write(dir.resolve("i"), new byte[0]);
    Path labels = Files.write(dir.resolve("l"), TestFiles.idxLabels(0, new byte[0]));
    List<SourceItem> items = new IdxSource(images, labels, spec).items().collectList().block();
    assertThat(items).singleElement().isInstanceOf(SourceItem.Rejection.class);
    assertThat(items.get(0).origin()).isEqualTo(images.toString());
  }

  @Test
  void aMissingFileIsRefusedAtConstruction() {
    assertThatThrownBy(() -> new IdxSource(dir.resolve("nope"), dir.resolve("nope2"), spec))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
  }
}
