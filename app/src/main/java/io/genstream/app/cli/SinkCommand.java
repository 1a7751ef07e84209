package io.genstream.app.cli;

import io.genstream.sinks.SinkService;
import io.genstream.sinks.file.FileSink;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code genstream sink [files|webhook|kafka]}: the results topic into a sink. Without a subcommand
 * it is the file sink ({@code genstream sink --out DIR} = {@code genstream sink files --out DIR}).
 */
@Command(name = "sink", header = "Write results to files (default), contact sheets, a webhook or another topic.",
    mixinStandardHelpOptions = true, sortOptions = false,
    subcommands = {SinkCommand.Files.class, WebhookSinkCommand.class, TopicSinkCommand.class,
        SheetSinkCommand.class},
    description = {
      "Without a subcommand: writes results to OUT/<model>/<version>/<label>/<id>-<hash>-<index>.png",
      "and OUT/manifest.jsonl, committing each result only once it is on disk.",
      "A result a sink rejects for good goes to the dead-letter topic with the reason.", ""})
public final class SinkCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;
  @Mixin FileSinkOptions files;
  @Mixin ManagementOptions management;

  @Override
  public Integer call() throws Exception {
    return runFiles(kafka, files, management);
  }

  static int runFiles(KafkaOptions kafka, FileSinkOptions options, ManagementOptions management)
      throws Exception {
    return UntilStopped.runService("file sink", () -> {
      FileSink files = new FileSink(options.out);
      SinkService sink = new SinkService(files,
          new SinkService.Options(kafka.connection(), kafka.ensureTopics(), options.group)).start();
      System.out.println("writing to       : " + files.root());
      io.micrometer.prometheusmetrics.PrometheusMeterRegistry meters = management.meters("sink");
      ServiceMeters.sink(sink, meters);
      AutoCloseable port;
      try {
        port = management.open("sink", meters, () -> null, kafka.connection(), options.group);
      } catch (RuntimeException e) {
        sink.close();
        files.close();
        throw e;
      }
      return new UntilStopped.Running(() -> {
        sink.close();
        files.close();
        port.close();
        System.out.println("file sink stopped: " + sink.written() + " images written, "
            + sink.deadLettered() + " dead-lettered");
      }, sink.completion());
    });
  }

  /** {@code genstream sink files}: the same as {@code genstream sink}, by name. */
  @Command(name = "files", header = "Write results to files (ImageFolder layout + manifest).",
      mixinStandardHelpOptions = true, sortOptions = false)
  static final class Files implements Callable<Integer> {

    @Mixin KafkaOptions kafka;
    @Mixin FileSinkOptions files;
    @Mixin ManagementOptions management;

    @Override
    public Integer call() throws Exception {
      return runFiles(kafka, files, management);
    }
  }
}
