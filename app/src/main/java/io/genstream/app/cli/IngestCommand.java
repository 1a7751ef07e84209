package io.genstream.app.cli;

import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.ingest.IngestService;
import io.genstream.ingest.synthetic.SyntheticDigits;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.Disposable;

/** {@code genstream ingest}: streams synthetic digits to the images topic. */
@Command(name = "ingest", header = "Stream synthetic labelled digits to the images topic.", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Streams synthetic labelled digits (28x28 PNG) to the images topic.", ""})
public final class IngestCommand implements Callable<Integer> {

  @Mixin KafkaOptions kafka;

  @Option(names = "--images-per-second", defaultValue = "600",
      description = "Pace (default: ${DEFAULT-VALUE}).")
  double imagesPerSecond;

  @Option(names = "--max-images", defaultValue = "0",
      description = "Stop after this many; 0 for no limit (default: ${DEFAULT-VALUE}).")
  long maxImages;

  @Option(names = "--seed", defaultValue = "1", description = "Stream seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws Exception {
    return UntilStopped.run("ingest", () -> {
      IngestService.Options options =
          new IngestService.Options(kafka.ensureTopics(), imagesPerSecond, maxImages);
      KafkaSender<String, byte[]> sender =
          KafkaSender.create(SenderOptions.defaults(kafka.bootstrapServers()));
      IngestService ingest = new IngestService(new SyntheticDigits(28, seed), sender, options);
      Disposable running = ingest.run().subscribe(
          null,
          e -> System.err.println("ingest failed: " + e),
          () -> System.out.println("ingest finished: " + ingest.published() + " images"));
      return () -> {
        running.dispose();
        ingest.close();
        sender.close();
        System.out.println("ingest stopped: " + ingest.published() + " images published");
      };
    });
  }
}
