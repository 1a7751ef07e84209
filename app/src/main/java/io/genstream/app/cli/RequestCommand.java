package io.genstream.app.cli;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.KafkaConnectionException;
import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaReceiver;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.kafka.ReceiverOptions;
import io.genstream.core.kafka.SenderOptions;
import io.genstream.core.messages.DeadLetter;
import io.genstream.core.messages.GeneratedImage;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.genstream.core.messages.GenerationRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.ProducerRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;

/**
 * {@code genstream request}: a client that asks a running pipeline for images and waits for
 * them — the same JSON any Kafka client could send, plus the waiting.
 */
@Command(
    name = "request", header = "Ask a running pipeline for images and save them.",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Sends one generation request to a running pipeline (for example the",
      "demo's broker), waits for its images on the results topic and saves",
      "them; a rejected request prints the dead-letter reason.",
      ""
    })
public final class RequestCommand implements Callable<Integer> {

  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

  @Mixin KafkaOptions kafka;

  @Option(names = "--model", defaultValue = "digits", description = "Model name (default: ${DEFAULT-VALUE}).")
  String model;

  @Option(names = "--model-version", defaultValue = "latest",
      description = "'latest' or a version number (default: ${DEFAULT-VALUE}).")
  String version;

  @Option(names = "--label", paramLabel = "LABEL",
      description = "Class label: a number (e.g. the digit) or a class name the model's data "
          + "gave it (e.g. cat); default: drawn from the seed.")
  String label;

  @Option(names = "--count", defaultValue = "8", description = "How many images (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(names = "--seed", description = "Latent seed; the same seed gives the same images (default: random).")
  Long seed;

  @Option(names = "--truncation", paramLabel = "T",
      description = "Truncation trick: resample latent values beyond ±T (e.g. 0.7).")
  Float truncation;

  @Option(names = "--interpolate", paramLabel = "FROM:TO:STEPS",
      description = "STEPS images along the way from seed FROM's latent to seed TO's (slerp).")
  String interpolate;

  @Option(names = "--image", paramLabel = "PNG",
      description = "Variations of this image (a VAE's encoder finds its latents).")
  Path image;

  @Option(names = "--spread", description = "With --image: how far variations stray (default 1).")
  Float spread;

  @Option(names = "--format", defaultValue = "png", paramLabel = "png|raw",
      description = "png, or raw uint8 CHW bytes (default: ${DEFAULT-VALUE}).")
  String format;

  @Option(names = "--json", paramLabel = "REQUEST",
      description = "The whole request as JSON, any kind (see README, Requests); the options "
          + "above fill in only what it leaves out.")
  String json;

  @Option(names = "--out", defaultValue = "genstream-request",
      description = "Folder the images are saved to (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--timeout", defaultValue = "60s", converter = DurationConverter.class,
      description = "How long to wait for the results (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public Integer call() throws IOException {
    Topics topics = kafka.topics();
    KafkaConnection connection = kafka.connection();
    String bootstrapServers = connection.bootstrapServers();
    String requestId = "cli-" + UUID.randomUUID();
    GenerationRequest request;
    try {
      request = GenerationRequest.parse(requestJson(requestId));
    } catch (RuntimeException e) {
      System.err.println("Invalid request: " + e.getMessage());
      return 2;
    }
    requestId = request.requestId();
    int count = request.count();
    try (KafkaSender<String, byte[]> sender =
        KafkaSender.create(SenderOptions.defaults(connection))) {
      sender.send(new ProducerRecord<>(topics.requests(), requestId, request.toJson()))
          .block(SEND_TIMEOUT);
    } catch (RuntimeException e) {
      // The send is the command's first contact with Kafka: say why it failed, in one line.
      throw KafkaConnectionException.explain(connection, "sending the request", SEND_TIMEOUT,
          Exceptions.unwrap(e));
    }
    System.out.println("Sent " + new String(request.toJson()) + " to " + topics.requests());

    Files.createDirectories(out);
    String resultsTopic = request.replyTopic() != null ? request.replyTopic() : topics.results();
    String id = requestId;
    Flux<ReceivedRecord<String, byte[]>> answers = KafkaReceiver.create(ReceiverOptions
            .allFromBeginning(connection, resultsTopic, topics.deadLetter()))
        .receive()
        .filter(r -> id.equals(r.key()));
    // Delivery is at least once: a result can arrive twice, so count distinct indices.
    Set<Integer> saved = ConcurrentHashMap.newKeySet();
    String[] rejection = {null};
    try {
      answers
          .takeUntil(r -> {
            if (r.record().topic().equals(topics.deadLetter())) {
              rejection[0] = DeadLetter.reason(r.record());
              return true;
            }
            GeneratedImage image = GeneratedImage.fromRecord(r.record());
            save(image);
            saved.add(image.index());
            return saved.size() >= count;
          })
          .timeout(timeout)
          .blockLast();
    } catch (RuntimeException e) {
      if (!(Exceptions.unwrap(e) instanceof TimeoutException)) {
        throw e;
      }
      System.err.println("Timed out after " + timeout.toSeconds() + " s waiting for results;"
          + " is a generator running against " + bootstrapServers + "?");
    }

    if (rejection[0] != null) {
      System.err.println("Rejected: " + rejection[0]);
      return 2;
    }
    System.out.printf("Saved %d of %d images to %s%n", saved.size(), count, out.toAbsolutePath());
    return saved.size() == count ? 0 : 1;
  }

  /** The request as JSON: {@code --json} if given, with the other options filling the gaps. */
  private byte[] requestJson(String requestId) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    ObjectNode node = json == null ? mapper.createObjectNode() : (ObjectNode) mapper.readTree(json);
    node.putIfAbsent("requestId", node.textNode(requestId));
    node.putIfAbsent("model", node.textNode(model));
    node.putIfAbsent("version", node.textNode(version));
    node.putIfAbsent("seed", node.numberNode(
        seed != null ? seed : UUID.randomUUID().getLeastSignificantBits() >>> 1));
    node.putIfAbsent("format", node.textNode(format));
    if (label != null) {
      node.putIfAbsent("label", label.matches("[0-9]{1,9}")
          ? node.numberNode(Integer.parseInt(label)) : node.textNode(label));
    }
    if (truncation != null) {
      node.putIfAbsent("truncation", node.numberNode(truncation));
    }
    if (interpolate != null) {
      String[] parts = interpolate.split(":");
      if (parts.length != 3) {
        throw new IllegalArgumentException("--interpolate takes FROM:TO:STEPS, got " + interpolate);
      }
      node.putIfAbsent("interpolation", mapper.createObjectNode()
          .put("from", Long.parseLong(parts[0])).put("to", Long.parseLong(parts[1]))
          .put("steps", Integer.parseInt(parts[2])));
    }
    if (image != null) {
      node.putIfAbsent("image", node.textNode(
          java.util.Base64.getEncoder().encodeToString(Files.readAllBytes(image))));
      if (spread != null) {
        node.putIfAbsent("spread", node.numberNode(spread));
      }
    }
    boolean countImplied = node.has("labels") || node.has("latents") || node.has("interpolation");
    if (!countImplied) {
      node.putIfAbsent("count", node.numberNode(count));
    }
    return mapper.writeValueAsBytes(node);
  }

  private void save(GeneratedImage image) {
    Path file = out.resolve(String.format("%s-v%d-label%d-%d.%s", image.model(), image.version(),
        image.label(), image.index(), image.raw() ? image.shape().replace(',', 'x') + ".raw" : "png"));
    try {
      Files.write(file, image.data());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
