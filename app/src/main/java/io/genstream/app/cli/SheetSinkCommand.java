package io.genstream.app.cli;

import io.genstream.sinks.SinkService;
import io.genstream.sinks.file.ContactSheetSink;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code genstream sink sheets}: contact sheets, one grid PNG per request or per model version. */
@Command(name = "sheets", header = "Write contact sheets: a grid PNG per request or per model version.",
    mixinStandardHelpOptions = true, sortOptions = false,
    description = {
      "--per request: OUT/<model>/<version>/sheets/<id>-<hash>.png, each image at its index.",
      "--per version: OUT/<model>/<version>/sheet.png, the version's first --max-cells results.",
      "Each result is committed once its cell is on disk.", ""})
public final class SheetSinkCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin KafkaOptions kafka;

  @Option(names = "--out", defaultValue = "genstream-sheets",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--per", defaultValue = "request", paramLabel = "request|version",
      converter = GroupingConverter.class,
      description = "One sheet per request or per model version (default: ${DEFAULT-VALUE}).")
  ContactSheetSink.Grouping grouping;

  @Option(names = "--max-cells", defaultValue = "100",
      description = "Cells per sheet, 1..1024; later images are not drawn (default: ${DEFAULT-VALUE}).")
  int maxCells;

  @Option(names = "--group", defaultValue = "genstream-sink-sheets",
      description = "Consumer group of the results topic (default: ${DEFAULT-VALUE}).")
  String group;

  @Override
  public Integer call() throws Exception {
    if (maxCells < 1 || maxCells > 1024) {
      throw new ParameterException(spec.commandLine(), "--max-cells must be 1..1024, got "
          + maxCells);
    }
    return UntilStopped.runService("contact-sheet sink", () -> {
      ContactSheetSink sheets = new ContactSheetSink(out, grouping, maxCells);
      SinkService sink = new SinkService(sheets,
          new SinkService.Options(kafka.connection(), kafka.ensureTopics(), group)).start();
      System.out.println("contact sheets   : " + sheets.root() + " (one per "
          + grouping.name().toLowerCase(java.util.Locale.ROOT) + ")");
      return new UntilStopped.Running(() -> {
        sink.close();
        sheets.close();
        System.out.println("contact-sheet sink stopped: " + sink.written() + " results drawn, "
            + sink.deadLettered() + " dead-lettered");
      }, sink.completion());
    });
  }

  /** {@code request|version}, case-insensitive. */
  static final class GroupingConverter
      implements picocli.CommandLine.ITypeConverter<ContactSheetSink.Grouping> {
    @Override
    public ContactSheetSink.Grouping convert(String value) {
      try {
        return ContactSheetSink.Grouping.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "expected request or version, got '" + value + "'");
      }
    }
  }
}
