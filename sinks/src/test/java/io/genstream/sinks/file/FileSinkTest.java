package io.genstream.sinks.file;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.PublishedModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinkTest {

  @TempDir Path out;

  private static byte[] png(int shade) {
    return Png.encode(new GrayImage(2, 2, new byte[] {0, 64, (byte) shade, (byte) 255}));
  }

  private static GeneratedImage image(String requestId, int index, byte[] png) {
    return new GeneratedImage(requestId, "digits", 3, 42, index, 2, 7, png);
  }

  private List<JsonNode> manifest() throws IOException {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : Files.readAllLines(out.resolve(FileSink.MANIFEST))) {
      lines.add(Json.MAPPER.readTree(line));
    }
    return lines;
  }

  private List<Path> files(String suffix) throws IOException {
    try (Stream<Path> files = Files.walk(out)) {
      return files.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
    }
  }

  private void assertManifestMatchesFiles() throws IOException {
    for (JsonNode line : manifest()) {
      byte[] stored = Files.readAllBytes(out.resolve(line.get("path").asText()));
      assertThat(PublishedModel.sha256(stored)).isEqualTo(line.get("sha256").asText());
      assertThat(stored).hasSize(line.get("bytes").asInt());
    }
  }

  @Test
  void writesImageFolderLayoutWithOneManifestLinePerImage() throws Exception {
    byte[] png = png(128);
    try (FileSink sink = new FileSink(out)) {
      sink.write(image("r1", 0, png)).block();
      sink.write(image("r1", 1, png)).block();
    }

    String hash = FileLayout.hash("digits", "r1");
    assertThat(hash).hasSize(16).matches("[0-9a-f]+");
    assertThat(out.resolve("digits/3/7/r1-" + hash + "-0.png")).hasBinaryContent(png);
    assertThat(out.resolve("digits/3/7/r1-" + hash + "-1.png")).hasBinaryContent(png);
    List<JsonNode> lines = manifest();
    assertThat(lines).hasSize(2);
    JsonNode first = lines.get(0);
    assertThat(first.get("path").asText()).isEqualTo("digits/3/7/r1-" + hash + "-0.png");
    assertThat(first.get("requestId").asText()).isEqualTo("r1");
    assertThat(first.get("seed").asLong()).isEqualTo(42);
    assertThat(first.get("label").asInt()).isEqualTo(7);
    assertThat(first.get("bytes").asInt()).isEqualTo(png.length);
    assertThat(first.get("contentType").asText()).isEqualTo("image/png");
    assertManifestMatchesFiles();
    assertThat(files(".tmp")).isEmpty();
  }

  @Test
  void keepsHostileRequestIdsInsideTheOutputFolder() throws Exception {
    GeneratedImage image = new GeneratedImage("../../etc/passwd", "digits", 1, 1, 0, 1, -1, png(1));
    try (FileSink sink = new FileSink(out.resolve("sink"))) {
      sink.write(image).block();
    }

    String name = "_._.._etc_passwd-" + FileLayout.hash("digits", "../../etc/passwd") + "-0.png";
    assertThat(FileSink.relativePath(image)).hasToString("digits/1/unlabelled/" + name);
    assertThat(out.resolve("sink/digits/1/unlabelled/" + name)).exists();
    try (var files = Files.walk(out)) {
      assertThat(files.filter(Files::isRegularFile))
          .allSatisfy(file -> assertThat(file).startsWith(out.resolve("sink")));
    }
  }

  @Test
  void idsThatCleanToTheSameNameKeepSeparateFilesAndManifestLines() throws Exception {
    String longId = "a".repeat(299) + "b";
    String longIdOtherLast = "a".repeat(299) + "c";
    List<String> ids = List.of("col/x", "col_x", "col:x", longId, longIdOtherLast);
    try (FileSink sink = new FileSink(out)) {
      for (int i = 0; i < ids.size(); i++) {
        sink.write(image(ids.get(i), 0, png(i))).block();
      }
    }

    List<JsonNode> lines = manifest();
    assertThat(lines).hasSize(ids.size());
    Set<String> paths = new HashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      JsonNode line = lines.get(i);
      assertThat(line.get("requestId").asText()).isEqualTo(ids.get(i));
      Path stored = out.resolve(line.get("path").asText());
      assertThat(stored).hasBinaryContent(png(i));
      assertThat(stored.getFileName().toString()).hasSizeLessThanOrEqualTo(100 + 1 + 16 + 1 + 1 + 4);
      paths.add(line.get("path").asText());
    }
    assertThat(paths).hasSize(ids.size());
    assertThat(files(".png")).hasSize(ids.size());
    assertThat(lines.get(0).get("path").asText()).startsWith("digits/3/7/col_x-");
    assertManifestMatchesFiles();
  }

  @Test
  void redeliveredResultRewritesOnlyItsOwnFile() throws Exception {
    try (FileSink sink = new FileSink(out)) {
      sink.write(image("col/x", 0, png(1))).block();
      sink.write(image("col_x", 0, png(2))).block();
      sink.write(image("col/x", 1, png(3))).block();
      sink.write(image("col/x", 0, png(1))).block();
    }

    assertThat(out.resolve(FileSink.relativePath(image("col/x", 0, png(1))))).hasBinaryContent(png(1));
    assertThat(out.resolve(FileSink.relativePath(image("col_x", 0, png(2))))).hasBinaryContent(png(2));
    assertThat(out.resolve(FileSink.relativePath(image("col/x", 1, png(3))))).hasBinaryContent(png(3));
    assertThat(files(".png")).hasSize(3);
    List<JsonNode> lines = manifest();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(3).get("path").asText()).isEqualTo(lines.get(0).get("path").asText());
    assertManifestMatchesFiles();
  }

  @Test
  void sameRequestIdUnderModelsThatCleanAlikeKeepsSeparateFiles() throws Exception {
    GeneratedImage slash = new GeneratedImage("r", "a/b", 1, 1, 0, 1, -1, png(1));
    GeneratedImage underscore = new GeneratedImage("r", "a_b", 1, 1, 0, 1, -1, png(2));
    try (FileSink sink = new FileSink(out)) {
      sink.write(slash).block();
      sink.write(underscore).block();
    }

    assertThat(FileSink.relativePath(slash)).isNotEqualTo(FileSink.relativePath(underscore));
    assertThat(out.resolve(FileSink.relativePath(slash))).hasBinaryContent(png(1));
    assertThat(out.resolve(FileSink.relativePath(underscore))).hasBinaryContent(png(2));
  }

  @Test
  void failureBetweenWriteAndMoveLeavesNoFileAndNoManifestLine() throws Exception {
    GeneratedImage image = image("r1", 0, png(9));
    List<Path> tempsSeen = new ArrayList<>();
    DurableFiles.Mover crash = (temp, target) -> {
      tempsSeen.add(temp);
      assertThat(temp).hasBinaryContent(png(9));
      throw new IOException("killed before the rename");
    };
    try (FileSink sink = new FileSink(out, crash)) {
      assertThatThrownBy(() -> sink.write(image).block())
          .isInstanceOf(UncheckedIOException.class)
          .hasRootCauseMessage("killed before the rename");
    }

    assertThat(tempsSeen).hasSize(1);
    assertThat(tempsSeen.get(0).getParent()).isEqualTo(out.resolve(FileSink.relativePath(image)).getParent());
    assertThat(out.resolve(FileSink.relativePath(image))).doesNotExist();
    assertThat(files(".png")).isEmpty();
    assertThat(files(".tmp")).isEmpty();
    assertThat(Files.readAllLines(out.resolve(FileSink.MANIFEST))).isEmpty();
  }

  @Test
  void startRemovesTempFilesAndTornManifestLineLeftByAKill() throws Exception {
    GeneratedImage first = image("r1", 0, png(1));
    try (FileSink sink = new FileSink(out)) {
      sink.write(first).block();
    }
    // What a kill leaves: a half-written temp beside its final name, half a manifest line.
    Path target = out.resolve(FileSink.relativePath(image("r2", 0, png(2))));
    Path temp = FileLayout.tempFor(target);
    Files.write(temp, new byte[] {1, 2, 3});
    Files.write(out.resolve(FileSink.MANIFEST), "{\"path\":\"dig".getBytes(StandardCharsets.UTF_8),
        StandardOpenOption.APPEND);

    try (FileSink sink = new FileSink(out)) {
      assertThat(temp).doesNotExist();
      sink.write(image("r2", 0, png(2))).block();
    }

    assertThat(target).hasBinaryContent(png(2));
    List<JsonNode> lines = manifest();
    assertThat(lines).extracting(line -> line.get("requestId").asText()).containsExactly("r1", "r2");
    assertManifestMatchesFiles();
  }

  @Test
  void rawResultsAreStoredAsRawBytesWithTheirShape() throws Exception {
    byte[] chw = new byte[3 * 2 * 4];
    for (int i = 0; i < chw.length; i++) {
      chw[i] = (byte) (i * 10);
    }
    GeneratedImage raw = new GeneratedImage("r1", "faces", 2, 5, 0, 1, -1, chw,
        GeneratedImage.RAW_CONTENT_TYPE, "3,2,4", "cpu");
    try (FileSink sink = new FileSink(out)) {
      sink.write(raw).block();
    }

    Path relative = FileSink.relativePath(raw);
    assertThat(relative.toString()).endsWith("-0.raw").startsWith("faces/2/unlabelled/r1-");
    assertThat(out.resolve(relative)).hasBinaryContent(chw);
    JsonNode line = manifest().get(0);
    assertThat(line.get("shape").asText()).isEqualTo("3,2,4");
    assertThat(line.get("contentType").asText()).isEqualTo(GeneratedImage.RAW_CONTENT_TYPE);
    assertThat(line.get("bytes").asInt()).isEqualTo(chw.length);
    assertManifestMatchesFiles();
  }

  @Test
  void writingAfterCloseFails() {
    FileSink sink = new FileSink(out);
    sink.close();
    assertThatThrownBy(() -> sink.write(image("r1", 0, png(1))).block())
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
  }
}
