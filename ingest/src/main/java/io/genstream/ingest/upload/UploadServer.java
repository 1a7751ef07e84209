package io.genstream.ingest.upload;

import io.genstream.core.config.Topics;
import io.genstream.core.kafka.KafkaSender;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.FileDeadLetter;
import io.genstream.ingest.IngestService;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.folder.ImageFiles;
import io.genstream.ingest.upload.UploadRequestReader.Upload;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * HTTP upload as an ingest source: {@code POST /v1/images?label=N} with a raw image body
 * ({@code image/png}, {@code image/jpeg}, {@code image/bmp}, {@code image/gif}) or a
 * {@code multipart/form-data} body with several files. Each image is normalised as the folder
 * source does ({@link ImageFiles}) and produced to the images topic; a rejected one goes to the
 * dead-letter topic ({@link FileDeadLetter}). Once the broker acknowledged every record of the
 * request the answer is {@code 202 {"accepted": [{"id": "<topic>-<partition>@<offset>",
 * "origin": ...}], "rejected": [{"origin": ..., "reason": ...}], "dataset": ...}} (the dataset
 * only when one was stamped).
 *
 * <p>Labels: {@code ?label=N}, or in a multipart body {@code label} form fields: one for every
 * file, or one per file in the order of the files. Dataset: the images of a request carry
 * {@code ce_dataset} = {@code ?dataset=NAME} if given, else the server's
 * {@link Options#dataset()} if set (so that a trainer bound to that dataset takes them), else
 * none. Errors are {@code {"error": "..."}}: 400 (bad or missing label, bad dataset name, empty
 * body, unsupported content type), 413 (body over the limit), 500 (the broker refused a
 * record).
 *
 * <p><b>Threads.</b> The event loop routes and writes only; decoding and normalising run on
 * Vert.x worker threads, sends on the producer's, and the answer is written back on the event
 * loop. <b>Ownership.</b> The sender is the caller's (closed after this server); the Vert.x
 * instance is this server's, closed by {@link #close()}.
 */
public final class UploadServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(UploadServer.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);
  public static final String SOURCE_NAME = "upload";
  /** 16 MiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

  /**
   * @param port 0 for any free port
   * @param maxBodyBytes the largest request body accepted; larger ones get 413
   * @param dataset stamped as {@code ce_dataset} on the images of a request that names none;
   *     null for none
   */
  public record Options(String host, int port, int maxBodyBytes, Topics topics, DatasetSpec spec,
      String dataset) {
    public Options {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(topics, "topics");
      Objects.requireNonNull(spec, "spec");
      IngestService.checkDataset(dataset);
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0..65535, got " + port);
      }
      if (maxBodyBytes <= 0) {
        throw new IllegalArgumentException("maxBodyBytes must be > 0, got " + maxBodyBytes);
      }
    }

    /** No default dataset. */
    public Options(String host, int port, int maxBodyBytes, Topics topics, DatasetSpec spec) {
      this(host, port, maxBodyBytes, topics, spec, null);
    }

    /** The default body limit, no default dataset. */
    public Options(String host, int port, Topics topics, DatasetSpec spec) {
      this(host, port, DEFAULT_MAX_BODY_BYTES, topics, spec, null);
    }
  }

  /** A decoded upload with its bytes (for a dead letter) and the dataset to stamp, or null. */
  private record Decoded(SourceItem item, byte[] bytes, String dataset) {}

  private record Outcome(SourceItem item, RecordMetadata metadata) {}

  private final KafkaSender<String, byte[]> sender;
  private final Options options;
  private final ImageFiles files;
  private final UploadRequestReader requests;
  private final Vertx vertx;
  private final HttpServer server;
  private final Path uploadsDir;
  private final AtomicBoolean closed = new AtomicBoolean();

  public UploadServer(KafkaSender<String, byte[]> sender, Options options) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.options = options;
    this.files = new ImageFiles(options.spec(), SOURCE_NAME);
    this.requests = new UploadRequestReader(options.dataset());
    try {
      this.uploadsDir = Files.createTempDirectory("genstream-uploads");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for uploads: " + e.getMessage(), e);
    }
    this.vertx = Vertx.vertx(new VertxOptions()
        .setEventLoopPoolSize(1)
        .setFileSystemOptions(new FileSystemOptions()
            .setFileCachingEnabled(false).setClassPathResolvingEnabled(false)));
    Router router = Router.router(vertx);
    router.route(HttpMethod.POST, "/v1/images")
        .handler(BodyHandler.create(true)
            .setBodyLimit(options.maxBodyBytes())
            .setUploadsDirectory(uploadsDir.toString())
            .setDeleteUploadedFilesOnEnd(true))
        .handler(this::upload);
    router.route().failureHandler(ctx -> {
      int status = ctx.statusCode() > 0 ? ctx.statusCode() : 500;
      String message = switch (status) {
        case 413 -> "request body too large: the limit is " + options.maxBodyBytes() + " bytes";
        case 400 -> "bad request";
        default -> ctx.failure() == null ? "HTTP " + status : ctx.failure().toString();
      };
      if (status >= 500) {
        log.warn("upload failed", ctx.failure());
      }
      error(ctx.response(), status, message);
    });
    router.errorHandler(404, ctx -> error(ctx.response(), 404, "no route " + ctx.request().path()));
    router.errorHandler(405, ctx -> error(ctx.response(), 405, "method not allowed"));
    this.server = vertx.createHttpServer(new HttpServerOptions()
            .setHost(options.host()).setPort(options.port()).setCompressionSupported(false))
        .requestHandler(router);
  }

  /** Starts listening; completes with this server once it listens. Call it once. */
  public Mono<UploadServer> start() {
    return Mono.fromCompletionStage(() -> server.listen().toCompletionStage())
        .doOnNext(s -> log.info("upload server listening on {}:{}", options.host(), port()))
        .thenReturn(this);
  }

  /** The bound port; -1 before it listens. */
  public int port() {
    return server.actualPort() > 0 ? server.actualPort() : -1;
  }

  private void upload(RoutingContext ctx) {
    UploadRequestReader.Read read = requests.read(ctx);
    if (read instanceof UploadRequestReader.Refused refused) {
      error(ctx.response(), 400, refused.reason());
      return;
    }
    UploadRequestReader.Images images = (UploadRequestReader.Images) read;
    handle(ctx, images.uploads(), images.parts(), images.dataset());
  }

  private void handle(RoutingContext ctx, List<Upload> uploads, List<FileUpload> parts,
      String dataset) {
    Context context = vertx.getOrCreateContext();
    vertx.<List<Decoded>>executeBlocking(() -> {
      List<Decoded> items = new ArrayList<>();
      for (int i = 0; i < uploads.size(); i++) {
        Upload upload = uploads.get(i);
        byte[] bytes = upload.bytes() != null
            ? upload.bytes() : Files.readAllBytes(Path.of(parts.get(i).uploadedFileName()));
        items.add(new Decoded(files.read(bytes, upload.origin(), upload.label(), Map.of()), bytes,
            dataset));
      }
      return items;
    }, false).onComplete(decoded -> {
      if (decoded.failed()) {
        ctx.fail(500, decoded.cause());
        return;
      }
      Flux.fromIterable(decoded.result())
          .flatMapSequential(this::send)
          .collectList()
          // Off the event loop: a send may block on producer metadata or a full buffer.
          .subscribeOn(Schedulers.boundedElastic())
          .subscribe(
              outcomes -> context.runOnContext(v -> accepted(ctx, outcomes, dataset)),
              e -> context.runOnContext(v -> {
                log.warn("upload not acknowledged by the broker: {}", e.toString());
                error(ctx.response(), 500, "the broker did not acknowledge the upload: " + e);
              }));
    });
  }

  private Mono<Outcome> send(Decoded decoded) {
    SourceItem item = decoded.item();
    if (item instanceof SourceItem.Image image) {
      return sender.send(IngestService.imageRecord(image, options.topics().images(), SOURCE_NAME,
              decoded.dataset()))
          .map(metadata -> new Outcome(item, metadata));
    }
    SourceItem.Rejection rejection = (SourceItem.Rejection) item;
    log.warn("Rejected {}: {}", rejection.origin(), rejection.reason());
    return sender.send(FileDeadLetter.of(rejection, decoded.bytes(), options.topics().deadLetter(),
            "ingest-" + SOURCE_NAME))
        .map(metadata -> new Outcome(item, metadata));
  }

  private static void accepted(RoutingContext ctx, List<Outcome> outcomes, String dataset) {
    JsonArray accepted = new JsonArray();
    JsonArray rejected = new JsonArray();
    for (Outcome outcome : outcomes) {
      if (outcome.item() instanceof SourceItem.Rejection rejection) {
        rejected.add(new JsonObject().put("origin", rejection.origin())
            .put("reason", rejection.reason()));
      } else {
        RecordMetadata m = outcome.metadata();
        accepted.add(new JsonObject()
            .put("id", m.topic() + "-" + m.partition() + "@" + m.offset())
            .put("origin", outcome.item().origin()));
      }
    }
    JsonObject answer = new JsonObject().put("accepted", accepted).put("rejected", rejected);
    if (dataset != null) {
      answer.put("dataset", dataset);
    }
    ctx.response().setStatusCode(202)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(answer.toBuffer());
  }

  private static void error(HttpServerResponse response, int status, String message) {
    if (response.ended()) {
      return;
    }
    response.setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(new JsonObject().put("error", message).toBuffer());
  }

  /** Stops listening and closes the Vert.x instance. Idempotent; blocks up to 10 s. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      server.close().toCompletionStage().toCompletableFuture()
          .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("upload server did not close cleanly: {}", e.toString());
    }
    try {
      vertx.close().toCompletionStage().toCompletableFuture()
          .get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    try (var leftovers = Files.list(uploadsDir)) {
      leftovers.forEach(p -> p.toFile().delete());
      Files.deleteIfExists(uploadsDir);
    } catch (IOException e) {
      log.debug("cannot remove {}: {}", uploadsDir, e.toString());
    }
  }
}
