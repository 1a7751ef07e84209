package io.genstream.sinks.file;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinkTest {

  @TempDir Path out;

  @Test
  void writesImageFolderLayoutWithOneManifestLinePerImage() throws Exception {
    byte[] png = Png.encode(new GrayImage(2, 2, new byte[] {0, 64, (byte) 128, (byte) 255}));
    try (FileSink sink = new FileSink(out)) {
      sink.write(new GeneratedImage("r1", "digits", 3, 42, 0, 2, 7, png)).block();
      sink.write(new GeneratedImage("r1", "digits", 3, 42, 1, 2, 7, png)).block();
    }

    assertThat(out.resolve("digits/3/7/r1-0.png")).hasBinaryContent(png);
    assertThat(out.resolve("digits/3/7/r1-1.png")).hasBinaryContent(png);
    List<String> lines = Files.readAllLines(out.resolve(FileSink.MANIFEST));
    assertThat(lines).hasSize(2);
    JsonNode first = Json.MAPPER.readTree(lines.get(0));
    assertThat(first.get("path").asText()).isEqualTo("digits/3/7/r1-0.png");
    assertThat(first.get("seed").asLong()).isEqualTo(42);
    assertThat(first.get("label").asInt()).isEqualTo(7);
    assertThat(first.get("bytes").asInt()).isEqualTo(png.length);
    try (var files = Files.walk(out)) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }

  @Test
  void keepsHostileRequestIdsInsideTheOutputFolder() throws Exception {
    GeneratedImage image = new GeneratedImage("../../etc/passwd", "digits", 1, 1, 0, 1, -1, new byte[] {1});
    try (FileSink sink = new FileSink(out.resolve("sink"))) {
      sink.write(image).block();
    }

    assertThat(FileSink.relativePath(image))
        .hasToString("digits/1/unlabelled/_._.._etc_passwd-0.png");
    assertThat(out.resolve("sink/digits/1/unlabelled/_._.._etc_passwd-0.png")).exists();
    try (var files = Files.walk(out)) {
      assertThat(files.filter(Files::isRegularFile))
          .allSatisfy(file -> assertThat(file).startsWith(out.resolve("sink")));
    }
  }
}
