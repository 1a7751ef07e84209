package io.genstream.ingest.upload;

import io.genstream.ingest.IngestService;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads an upload request ({@link UploadServer}'s {@code POST /v1/images}) into its images, their
 * labels and the dataset to stamp: a raw image body or a multipart form's files, labels from
 * {@code ?label=N} or {@code label} form fields, the dataset from {@code ?dataset=NAME} or the
 * server's default. A request it cannot read is refused with the reason, for a 400 answer.
 */
final class UploadRequestReader {

  static final Set<String> IMAGE_TYPES =
      Set.of("image/png", "image/jpeg", "image/bmp", "image/gif");

  /** An image of a request; {@code bytes} null for a multipart file, read later from its part. */
  record Upload(String origin, int label, byte[] bytes) {}

  /** What a request reads as: its images, or why it is refused. */
  sealed interface Read permits Images, Refused {}

  /**
   * A request's images; {@code parts} the multipart files, the i-th for the i-th upload, empty for
   * a raw body. {@code dataset} null for none.
   */
  record Images(List<Upload> uploads, List<FileUpload> parts, String dataset) implements Read {}

  /** A request refused (400), with the reason for the answer. */
  record Refused(String reason) implements Read {}

  private final String defaultDataset;

  /** @param defaultDataset for a request that names none; null for none */
  UploadRequestReader(String defaultDataset) {
    this.defaultDataset = defaultDataset;
  }

  Read read(RoutingContext ctx) {
    String contentType = mediaType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE));
    String remote = String.valueOf(ctx.request().remoteAddress());
    List<Upload> uploads = new ArrayList<>();
    List<String> queryLabel = ctx.queryParam("label");
    List<String> queryDataset = ctx.queryParam("dataset");
    if (queryDataset.size() > 1) {
      return new Refused("one dataset per request, got " + queryDataset.size());
    }
    String dataset = defaultDataset;
    if (!queryDataset.isEmpty()) {
      try {
        dataset = IngestService.checkDataset(queryDataset.get(0));
      } catch (IllegalArgumentException e) {
        return new Refused(e.getMessage());
      }
    }
    if (contentType.equals("multipart/form-data")) {
      List<FileUpload> parts = ctx.fileUploads();
      if (parts.isEmpty()) {
        return new Refused("empty body: no files in the multipart form");
      }
      List<String> labels = new ArrayList<>(ctx.request().formAttributes().getAll("label"));
      if (labels.isEmpty()) {
        labels.addAll(queryLabel);
      }
      if (labels.size() != 1 && labels.size() != parts.size()) {
        return new Refused(labels.isEmpty()
            ? "label is required: ?label=N or a label form field"
            : labels.size() + " label fields for " + parts.size()
                + " files: give one for all or one per file");
      }
      for (int i = 0; i < parts.size(); i++) {
        String text = labels.get(labels.size() == 1 ? 0 : i);
        Integer label = label(text);
        if (label == null) {
          return new Refused("bad label '" + text + "': a non-negative integer expected");
        }
        FileUpload part = parts.get(i);
        uploads.add(new Upload("upload:" + remote + "/" + part.fileName(), label, null));
      }
      // The server reads the files off the event loop.
      return new Images(uploads, parts, dataset);
    }
    if (!IMAGE_TYPES.contains(contentType)) {
      return new Refused("unsupported content type '" + contentType + "', expected one of "
          + IMAGE_TYPES.stream().sorted().toList() + " or multipart/form-data");
    }
    if (queryLabel.size() != 1) {
      return new Refused("label is required: ?label=N");
    }
    Integer label = label(queryLabel.get(0));
    if (label == null) {
      return new Refused("bad label '" + queryLabel.get(0) + "': a non-negative integer expected");
    }
    byte[] body = ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    if (body.length == 0) {
      return new Refused("empty body: send the image's bytes");
    }
    String name = contentType.substring("image/".length());
    uploads.add(new Upload("upload:" + remote + "/body." + name, label, body));
    return new Images(uploads, List.of(), dataset);
  }

  /** A label: a non-negative int, or null. */
  private static Integer label(String text) {
    try {
      int label = Integer.parseInt(text.strip());
      return label >= 0 ? label : null;
    } catch (NumberFormatException | NullPointerException e) {
      return null;
    }
  }

  private static String mediaType(String header) {
    if (header == null) {
      return "";
    }
    int semicolon = header.indexOf(';');
    return (semicolon < 0 ? header : header.substring(0, semicolon)).strip()
        .toLowerCase(Locale.ROOT);
  }
}
