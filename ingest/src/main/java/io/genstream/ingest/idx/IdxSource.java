package io.genstream.ingest.idx;

import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.EpochSource;
import io.genstream.ingest.Order;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.internal.Normaliser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.SynchronousSink;

/**
 * An MNIST-format data set: an IDX image file (magic {@code 0x00000803}: unsigned bytes, count ×
 * rows × columns) and an IDX label file (magic {@code 0x00000801}: count unsigned bytes), plain
 * or gzip-compressed (recognised by content). Images are gray and normalised to the
 * {@link DatasetSpec}.
 *
 * <p>Each epoch sends the entries in its {@link Order} (shuffled by default, seed
 * {@link Order#DEFAULT_SEED} unless given; sorted: by index): the indices are arranged, and each
 * entry is read where it lies in the file, so memory holds one index per entry, not the images.
 * A gzip file is inflated into a temporary file first (its inflated size on disk, deleted when
 * the epoch ends or is cancelled).
 *
 * <p>Validation, and what is sent when it fails:
 *
 * <ul>
 *   <li>a wrong magic number, impossible dimensions or image and label counts that differ: one
 *       rejection naming the file and the reason, and nothing is sent (it is known before the
 *       first image);
 *   <li>a header that claims more images or labels than the file holds (a truncated file, or a
 *       gzip stream that breaks off): the complete image-label pairs it holds are sent, then one
 *       rejection naming the short file, the count declared and the count found (or the gzip
 *       fault). The images that are there are good images;
 *   <li>data after the declared count: all declared images are sent, then one rejection naming
 *       the file and the extra bytes (ignored).
 * </ul>
 */
public final class IdxSource implements EpochSource {

  private static final Logger log = LoggerFactory.getLogger(IdxSource.class);

  static final int IMAGES_MAGIC = 0x00000803;
  static final int LABELS_MAGIC = 0x00000801;
  private static final int IMAGES_HEADER = 16;
  private static final int LABELS_HEADER = 8;

  private final Path images;
  private final Path labels;
  private final DatasetSpec spec;
  private final Order order;

  /** Each epoch shuffled with seed {@link Order#DEFAULT_SEED}. */
  public IdxSource(Path images, Path labels, DatasetSpec spec) {
    this(images, labels, spec, Order.defaults());
  }

  public IdxSource(Path images, Path labels, DatasetSpec spec, Order order) {
    for (Path file : new Path[] {images, labels}) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException("not a file: " + file);
      }
    }
    this.images = images;
    this.labels = labels;
    this.spec = spec;
    this.order = Objects.requireNonNull(order, "order");
  }

  @Override
  public String name() {
    return "idx";
  }

  @Override
  public Order order() {
    return order;
  }

  /**
   * Finite: opens both files (inflating gzip) and checks them on the first request, then reads
   * one image and label per request, synchronously on the subscriber's thread; closes them (and
   * deletes an inflated copy) on completion or cancel.
   */
  @Override
  public Flux<SourceItem> items(long epoch) {
    Order.checkEpoch(epoch);
    return Flux.generate(() -> new Reader(epoch), Reader::next, Reader::close);
  }

  /** The open files of one subscription. */
  private final class Reader {
    private final long epoch;
    private final Normaliser normaliser = new Normaliser(spec);
    private final String streamId = name() + ":" + images.getFileName();
    private IdxData imageData;
    private IdxData labelData;
    private int rows;
    private int columns;
    /** The entries to send, arranged; null until opened. */
    private int[] indices;
    private int next;
    /** Sent after the last image: what is wrong at the files' ends, if anything. */
    private SourceItem.Rejection atEnd;
    private boolean done;

    Reader(long epoch) {
      this.epoch = epoch;
    }

    Reader next(SynchronousSink<SourceItem> sink) {
      if (done) {
        sink.complete();
        return this;
      }
      try {
        if (indices == null) {
          SourceItem.Rejection bad = openAndCheck();
          if (bad != null) {
            finish(sink, bad);
            return this;
          }
        }
        if (next == indices.length) {
          if (atEnd != null) {
            finish(sink, atEnd);
          } else {
            sink.complete();
          }
          return this;
        }
        int index = indices[next++];
        int pixelCount = rows * columns;
        byte[] pixels = imageData.read(IMAGES_HEADER + (long) index * pixelCount, pixelCount);
        int label = labelData.readByte(LABELS_HEADER + (long) index);
        Normaliser.Normalised normalised = normaliser.normalise(1, columns, rows, pixels);
        Map<String, String> attributes = new HashMap<>();
        normalised.conversion().ifPresent(c -> attributes.put("conversion", c));
        sink.next(new SourceItem.Image(new LabelledImage(streamId, label, normalised.png()),
            images + "#" + index, attributes));
      } catch (IOException e) {
        finish(sink, SourceItem.Rejection.ofFile(images, "unreadable IDX data: " + e.getMessage()));
      }
      return this;
    }

    private void finish(SynchronousSink<SourceItem> sink, SourceItem.Rejection rejection) {
      done = true;
      sink.next(rejection);
    }

    /**
     * Null when both headers are good and agree (then the entries are arranged and
     * {@link #atEnd} says what is wrong after them, if anything), else the rejection.
     */
    private SourceItem.Rejection openAndCheck() throws IOException {
      imageData = IdxData.open(images);
      labelData = IdxData.open(labels);
      if (imageData.length() < 4) {
        return SourceItem.Rejection.ofFile(images, "truncated IDX image header (16 bytes expected)"
            + faultOf(imageData));
      }
      int imageMagic = imageData.readInt(0);
      if (imageMagic != IMAGES_MAGIC) {
        return SourceItem.Rejection.ofFile(images, String.format("not an IDX image file: magic "
            + "0x%08x, expected 0x%08x (unsigned bytes, 3 dimensions)", imageMagic, IMAGES_MAGIC));
      }
      if (imageData.length() < IMAGES_HEADER) {
        return SourceItem.Rejection.ofFile(images, "truncated IDX image header (16 bytes expected)"
            + faultOf(imageData));
      }
      int count = imageData.readInt(4);
      rows = imageData.readInt(8);
      columns = imageData.readInt(12);
      if (count < 0 || rows < 1 || columns < 1 || (long) rows * columns > spec.maxPixels()) {
        return SourceItem.Rejection.ofFile(images, "impossible IDX image dimensions " + count + "x"
            + rows + "x" + columns + " (count x rows x columns; at most " + spec.maxPixels()
            + " pixels an image)");
      }
      if (labelData.length() < 4) {
        return SourceItem.Rejection.ofFile(labels, "truncated IDX label header (8 bytes expected)"
            + faultOf(labelData));
      }
      int labelMagic = labelData.readInt(0);
      if (labelMagic != LABELS_MAGIC) {
        return SourceItem.Rejection.ofFile(labels, String.format("not an IDX label file: magic "
            + "0x%08x, expected 0x%08x (unsigned bytes, 1 dimension)", labelMagic, LABELS_MAGIC));
      }
      if (labelData.length() < LABELS_HEADER) {
        return SourceItem.Rejection.ofFile(labels, "truncated IDX label header (8 bytes expected)"
            + faultOf(labelData));
      }
      int labelCount = labelData.readInt(4);
      if (labelCount != count) {
        return SourceItem.Rejection.ofFile(images, "IDX image and label counts differ: " + images
            + " declares " + count + " images, " + labels + " declares " + labelCount + " labels");
      }
      long imageBytes = (long) count * rows * columns;
      long imagesHeld = (imageData.length() - IMAGES_HEADER) / ((long) rows * columns);
      long labelsHeld = labelData.length() - LABELS_HEADER;
      int complete = (int) Math.min(count, Math.min(imagesHeld, labelsHeld));
      if (complete < count && imagesHeld <= labelsHeld) {
        atEnd = SourceItem.Rejection.ofFile(images, "truncated IDX images: header declares "
            + count + " images, the file holds " + imagesHeld + " complete ones"
            + faultOf(imageData));
      } else if (complete < count) {
        atEnd = SourceItem.Rejection.ofFile(labels, "truncated IDX labels: header declares "
            + count + " labels, the file holds " + labelsHeld + faultOf(labelData));
      } else if (imageData.length() - IMAGES_HEADER > imageBytes) {
        atEnd = SourceItem.Rejection.ofFile(images, "IDX images: "
            + (imageData.length() - IMAGES_HEADER - imageBytes) + " bytes after the " + count
            + " images the header declares (ignored)");
      } else if (labelData.length() - LABELS_HEADER > count) {
        atEnd = SourceItem.Rejection.ofFile(labels, "IDX labels: "
            + (labelData.length() - LABELS_HEADER - count) + " bytes after the " + count
            + " labels the header declares (ignored)");
      } else if (imageData.fault() != null || labelData.fault() != null) {
        // Whole data, then a broken gzip trailer or a corrupt member after it.
        Path file = imageData.fault() != null ? images : labels;
        atEnd = SourceItem.Rejection.ofFile(file, "unreadable IDX data after the " + count
            + " entries the header declares" + faultOf(imageData.fault() != null ? imageData : labelData));
      }
      indices = order.arrange(complete, epoch);
      log.info("{}: sending {} images in {}", images, complete, order.describe(epoch));
      return null;
    }

    private static String faultOf(IdxData data) {
      return data.fault() == null ? "" : ": " + data.fault();
    }

    void close() {
      for (IdxData data : new IdxData[] {imageData, labelData}) {
        if (data != null) {
          try {
            data.close();
          } catch (IOException e) {
            // Reading is over; a read-only file that fails to close (or a temporary copy that
            // cannot be deleted, left in the temporary folder) changes nothing sent.
          }
        }
      }
    }
  }
}
