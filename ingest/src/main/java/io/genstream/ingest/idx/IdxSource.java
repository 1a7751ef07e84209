package io.genstream.ingest.idx;

import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.ImageSource;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.internal.Normaliser;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * An MNIST-format data set: an IDX image file (magic {@code 0x00000803}: unsigned bytes, count ×
 * rows × columns) and an IDX label file (magic {@code 0x00000801}: count unsigned bytes), plain
 * or gzip-compressed (recognised by content). Images are gray and normalised to the
 * {@link DatasetSpec}.
 *
 * <p>Validation, and what is sent when it fails:
 *
 * <ul>
 *   <li>a wrong magic number, impossible dimensions or image and label counts that differ: one
 *       rejection naming the file and the reason, and nothing is sent (it is known before the
 *       first image);
 *   <li>a header that claims more images or labels than the file holds (a truncated file): the
 *       complete image-label pairs before the end are sent, then one rejection naming the short
 *       file, the count declared and the count found. Streaming cannot know the count before it
 *       reaches the end, and the images that are there are good images;
 *   <li>data after the declared count: all declared images are sent, then one rejection naming
 *       the file and the extra bytes (ignored).
 * </ul>
 */
public final class IdxSource implements ImageSource {

  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;

  private final Path images;
  private final Path labels;
  private final DatasetSpec spec;

  public IdxSource(Path images, Path labels, DatasetSpec spec) {
    for (Path file : new Path[] {images, labels}) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("not a file: " + file);
      }
    }
    this.images = images;
    this.labels = labels;
    this.spec = spec;
  }

  @Override
  public String name() {
    return "idx";
  }

  /**
   * Finite: opens both files on subscription and reads one image and label per request,
   * synchronously on the subscriber's thread; closes them on completion or cancel.
   */
  @Override
  public Flux<SourceItem> items() {
    return Flux.generate(() -> new Reader(), Reader::next, Reader::close);
  }

  /** The open files of one subscription. */
  private final class Reader {
    private final Normaliser normaliser = new Normaliser(spec);
    private final String streamId = name() + ":" + images.getFileName();
    private DataInputStream imageIn;
    private DataInputStream labelIn;
    private int count = -1;
    private int rows;
    private int columns;
    private int next;
    private boolean done;

    Reader next(SynchronousSink<SourceItem> sink) {
      if (done) {
        sink.complete();
        return this;
      }
      try {
        if (count < 0) {
          SourceItem.Rejection bad = openAndCheckHeaders();
          if (bad != null) {
            finish(sink, bad);
            return this;
          }
        }
        if (next == count) {
          SourceItem.Rejection extra = trailingData();
          if (extra != null) {
            finish(sink, extra);
          } else {
            sink.complete();
          }
          return this;
        }
        byte[] pixels = imageIn.readNBytes(rows * columns);
        if (pixels.length < rows * columns) {
          finish(sink, SourceItem.Rejection.ofFile(images, "truncated IDX images: header declares "
              + count + " images, the file holds " + next + " complete ones"));
          return this;
        }
        int label = labelIn.read();
        if (label < 0) {
          finish(sink, SourceItem.Rejection.ofFile(labels, "truncated IDX labels: header declares "
              + count + " labels, the file holds " + next));
          return this;
        }
        Normaliser.Normalised normalised = normaliser.normalise(1, columns, rows, pixels);
        Map<String, String> attributes = new HashMap<>();
        normalised.conversion().ifPresent(c -> attributes.put("conversion", c));
        String origin = images + "#" + next;
        next++;
        sink.next(new SourceItem.Image(
            new LabelledImage(streamId, label, normalised.png()), origin, attributes));
      } catch (IOException e) {
        finish(sink, SourceItem.Rejection.ofFile(images, "unreadable IDX data: " + e.getMessage()));
      }
      return this;
    }

    private void finish(SynchronousSink<SourceItem> sink, SourceItem.Rejection rejection) {
      done = true;
      sink.next(rejection);
    }

    /** Null when both headers are good and agree, else the rejection. */
    private SourceItem.Rejection openAndCheckHeaders() throws IOException {
      imageIn = open(images);
      labelIn = open(labels);
      int imageMagic;
      int labelMagic;
      try {
        imageMagic = imageIn.readInt();
        if (imageMagic != IMAGES_MAGIC) {
          return SourceItem.Rejection.ofFile(images, String.format("not an IDX image file: magic "
              + "0x%08x, expected 0x%08x (unsigned bytes, 3 dimensions)", imageMagic, IMAGES_MAGIC));
        }
        count = imageIn.readInt();
        rows = imageIn.readInt();
        columns = imageIn.readInt();
      } catch (EOFException e) {
        return SourceItem.Rejection.ofFile(images, "truncated IDX image header (16 bytes expected)");
      }
      if (count < 0 || rows < 1 || columns < 1 || (long) rows * columns > spec.maxPixels()) {
        return SourceItem.Rejection.ofFile(images, "impossible IDX image dimensions " + count + "x"
            + rows + "x" + columns + " (count x rows x columns; at most " + spec.maxPixels()
            + " pixels an image)");
      }
      int labelCount;
      try {
        labelMagic = labelIn.readInt();
        if (labelMagic != LABELS_MAGIC) {
          return SourceItem.Rejection.ofFile(labels, String.format("not an IDX label file: magic "
              + "0x%08x, expected 0x%08x (unsigned bytes, 1 dimension)", labelMagic, LABELS_MAGIC));
        }
        labelCount = labelIn.readInt();
      } catch (EOFException e) {
        return SourceItem.Rejection.ofFile(labels, "truncated IDX label header (8 bytes expected)");
      }
      if (labelCount != count) {
        return SourceItem.Rejection.ofFile(images, "IDX image and label counts differ: " + images
            + " declares " + count + " images, " + labels + " declares " + labelCount + " labels");
      }
      return null;
    }

    private SourceItem.Rejection trailingData() throws IOException {
      long extraImages = imageIn.transferTo(OutputStream.nullOutputStream());
      long extraLabels = labelIn.transferTo(OutputStream.nullOutputStream());
      if (extraImages > 0) {
        return SourceItem.Rejection.ofFile(images, "IDX images: " + extraImages + " bytes after the "
            + count + " images the header declares (ignored)");
      }
      if (extraLabels > 0) {
        return SourceItem.Rejection.ofFile(labels, "IDX labels: " + extraLabels + " bytes after the "
            + count + " labels the header declares (ignored)");
      }
      return null;
    }

    private DataInputStream open(Path file) throws IOException {
      InputStream in = new BufferedInputStream(Files.newInputStream(file), 64 * 1024);
      in.mark(2);
      boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
      in.reset();
      return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(in), 64 * 1024) : in);
    }

    void close() {
      for (InputStream in : new InputStream[] {imageIn, labelIn}) {
        if (in != null) {
          try {
            in.close();
          } catch (IOException e) {
            // Reading is over; nothing to do about a failed close of a read-only file.
          }
        }
      }
    }
  }
}
