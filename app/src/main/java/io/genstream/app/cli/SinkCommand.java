package io.genstream.app.cli;

import io.genstream.sinks.SinkService;
import io.genstream.sinks.file.FileSink;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code genstream sink}: writes the results topic to files. */
@Command(name = "sink", header = "Write results to files (ImageFolder layout + manifest).", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "Writes results to OUT/<model>/<version>/<label>/<requestId>-<index>.png and",
      "OUT/manifest.jsonl, committing each result only once it is on disk.", ""})
public final class SinkCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Option(names = "--out", defaultValue = "genstream-out",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--group", defaultValue = "genstream-sink-files",
      description = "Consumer group of the results topic (default: ${DEFAULT-VALUE}).")
  String group;

  @Override
  public Integer call() throws Exception {
    return UntilStopped.run("file sink", () -> {
      FileSink files = new FileSink(out);
      SinkService sink = new SinkService(files,
          new SinkService.Options(kafka.bootstrapServers(), kafka.ensureTopics(), group)).start();
      System.out.println("writing to       : " + files.root());
      return () -> {
        sink.close();
        files.close();
        System.out.println("file sink stopped: " + sink.written() + " images written");
      };
    });
  }
}
