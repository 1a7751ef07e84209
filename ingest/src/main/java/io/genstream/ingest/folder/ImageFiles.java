package io.genstream.ingest.folder;

import io.genstream.core.image.InvalidImageException;
import io.genstream.core.image.WholeImages;
import io.genstream.core.messages.LabelledImage;
import io.genstream.ingest.DatasetSpec;
import io.genstream.ingest.IngestLedger;
import io.genstream.ingest.SourceItem;
import io.genstream.ingest.internal.BytesImageInputStream;
import io.genstream.ingest.internal.Normaliser;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.FileVisitResult;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Reads one image file into a {@link SourceItem}: the format is recognised from the content
 * (not the name), the size from the header alone and refused over the pixel budget, then the
 * image is decoded, normalised and encoded as PNG. A truncated JPEG or GIF, which ImageIO would
 * decode partially and silently, is refused ({@link WholeImages}). Every failure is a rejection
 * naming the file.
 * An image's record carries {@code ce_contenthash}: the SHA-256 of the file's bytes, in hex.
 */
public final class ImageFiles {

  /** The formats we accept, as ImageIO names them. */
  static final Set<String> FORMATS = Set.of("png", "jpeg", "bmp", "gif");

  /**
   * Files up to this size are read into memory once, then hashed and decoded from there (about
   * half the time of decoding from the file and reading it again for the hash); larger ones are
   * streamed twice, so that memory stays bounded whatever the folder holds.
   */
  static final int IN_MEMORY_BYTES = 16 * 1024 * 1024;

  private final DatasetSpec spec;
  private final Normaliser normaliser;
  private final String streamId;
  private final int inMemoryBytes;

  public ImageFiles(DatasetSpec spec, String streamId) {
    this(spec, streamId, IN_MEMORY_BYTES);
  }

  ImageFiles(DatasetSpec spec, String streamId, int inMemoryBytes) {
    this.spec = spec;
    this.normaliser = new Normaliser(spec);
    this.streamId = streamId;
    this.inMemoryBytes = inMemoryBytes;
  }

  /**
   * Readers a folder source uses by default: one per core but one, left for producing (the
   * producer, and a broker when it runs in the same process); on two cores one, the files then
   * read one after another on the subscriber's thread.
   */
  public static final int DEFAULT_WORKERS =
      Math.max(1, Runtime.getRuntime().availableProcessors() - 1);

  /**
   * {@code read} of each file (a path, or a path with its label), in the order of {@code files}.
   * With one worker on the subscriber's thread; with more, that many reads at a time on
   * Reactor's bounded-elastic threads (they block on files), their results emitted in order: at
   * most {@code workers} results wait for an earlier one, so memory stays bounded, and a
   * cancelled stream leaves at most {@code workers} reads to finish, unpublished.
   */
  static <T> Flux<SourceItem> inOrder(Flux<T> files, Function<T, SourceItem> read, int workers) {
    if (workers == 1) {
      return files.map(read);
    }
    return files.flatMapSequential(
        file -> Mono.fromCallable(() -> read.apply(file)).subscribeOn(Schedulers.boundedElastic()),
        workers, 1);
  }

  /**
   * A file's key for a shuffled {@link io.genstream.ingest.Order}: its path relative to the
   * source's folder, with {@code /} between names whatever the platform, so that the order does
   * not change when the folder is moved or read on another system.
   */
  static String key(Path root, Path file) {
    Path relative = root.relativize(file);
    StringBuilder key = new StringBuilder();
    for (Path name : relative) {
      key.append(key.length() == 0 ? "" : "/").append(name);
    }
    return key.toString();
  }

  static int checkWorkers(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be >= 1, got " + workers);
    }
    return workers;
  }

  /**
   * Regular files under {@code dir}, recursively, sorted by path; names starting with a dot
   * (.DS_Store, editors' files) are skipped, in files and folders alike (a hidden folder is not
   * entered). A symbolic link counts as what it points to, but a linked folder is not entered.
   *
   * <p>One walk that keeps the attributes it read for each entry: a stream of {@code Files.walk}
   * filtered with {@code Files.isRegularFile} read them a second time, one system call per file,
   * and a listing of thousands of small files was a tenth of a run.
   */
  static List<Path> list(Path dir) {
    List<Path> files = new ArrayList<>();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path folder, BasicFileAttributes attributes) {
          return folder.equals(dir) || !hidden(folder) ? FileVisitResult.CONTINUE
              : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          if (!hidden(file) && (attributes.isRegularFile()
              || attributes.isSymbolicLink() && Files.isRegularFile(file))) {
            files.add(file);
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
    }
    files.sort(null);
    return files;
  }

  private static boolean hidden(Path path) {
    Path name = path.getFileName();
    return name != null && name.toString().startsWith(".");
  }

  SourceItem read(Path file, int label, Map<String, String> attributes) {
    try {
      long size = Files.size(file);
      if (size == 0) {
        return SourceItem.Rejection.ofFile(file, "empty file (0 bytes)");
      }
      byte[] bytes = size <= inMemoryBytes ? bytes(file, (int) size) : null;
      if (bytes != null) {
        if (bytes.length == 0) { // emptied since
          return SourceItem.Rejection.ofFile(file, "empty file (0 bytes)");
        }
        try (ImageInputStream in = new BytesImageInputStream(bytes)) {
          return image(in, file.toString(), () -> IngestLedger.sha256(bytes), label, attributes);
        }
      }
      try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
        return image(in, file.toString(), () -> IngestLedger.sha256(file), label, attributes);
      }
    } catch (Rejected e) {
      return SourceItem.Rejection.ofFile(file, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return SourceItem.Rejection.ofFile(file, "unreadable image: " + describe(e));
    }
  }

  /**
   * The file's bytes, read into one array of the size it had ({@code readNBytes} of an open
   * length would allocate and copy in 8 KiB steps, a large part of ingest's garbage); fewer if
   * it shrank since, null if it grew (then it is streamed).
   */
  private static byte[] bytes(Path file, int size) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = new byte[size];
      int read = in.readNBytes(bytes, 0, size);
      if (read < size) {
        return Arrays.copyOf(bytes, read);
      }
      return in.read() == -1 ? bytes : null;
    }
  }

  /**
   * The same as for a file, from bytes already in memory (an upload): {@code origin} names
   * them; a rejection carries no file (the caller has the bytes for its dead letter).
   */
  public SourceItem read(byte[] bytes, String origin, int label, Map<String, String> attributes) {
    try {
      if (bytes.length == 0) {
        return rejection(origin, "empty file (0 bytes)");
      }
      try (ImageInputStream in = new BytesImageInputStream(bytes)) {
        return image(in, origin, () -> IngestLedger.sha256(bytes), label, attributes);
      }
    } catch (Rejected e) {
      return rejection(origin, e.getMessage());
    } catch (IOException | RuntimeException e) {
      return rejection(origin, "unreadable image: " + describe(e));
    }
  }

  private static SourceItem.Rejection rejection(String origin, String reason) {
    return new SourceItem.Rejection(origin, reason, Optional.empty());
  }

  private interface Hash {
    byte[] get() throws IOException;
  }

  private SourceItem image(ImageInputStream in, String origin, Hash hash, int label,
      Map<String, String> attributes) throws IOException {
    Normaliser.Normalised normalised = decode(in);
    Map<String, String> all = new HashMap<>(attributes);
    all.put("contenthash", IngestLedger.hex(hash.get()));
    normalised.conversion().ifPresent(c -> all.put("conversion", c));
    LabelledImage labelled = new LabelledImage(streamId, label, normalised.png());
    return new SourceItem.Image(labelled, origin, all);
  }

  /**
   * Decodes and normalises, refusing what cannot be: a colour JPEG for a gray dataset by its
   * luma plane ({@link JpegColour}), anything else as ImageIO decodes it.
   */
  private Normaliser.Normalised decode(ImageInputStream in) throws IOException {
    if (in == null) {
      throw new Rejected("cannot open the file");
    }
    ImageReader reader = Signatures.reader(in);
    boolean kept = reader != null;
    boolean decoded = false;
    if (reader == null) {
      Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
      if (!readers.hasNext()) {
        throw new Rejected("unsupported file: not a PNG, JPEG, BMP or GIF image");
      }
      reader = readers.next();
    }
    try {
      String format = reader.getFormatName().toLowerCase(Locale.ROOT);
      if (!FORMATS.contains(format)) {
        throw new Rejected("unsupported image format " + format + ", expected one of "
            + FORMATS.stream().sorted().toList());
      }
      if (format.equals("gif")) {
        // Before the reader has the stream, while it can still seek back to the start.
        try {
          WholeImages.checkGif(in);
        } catch (InvalidImageException e) {
          throw new Rejected(e.getMessage());
        }
      }
      // Before the reader has the stream, too.
      boolean luma = spec.channels() == 1 && format.equals("jpeg") && JpegColour.isYCbCr(in);
      reader.setInput(in, true, true);
      int width;
      int height;
      try { // reads the header only
        width = reader.getWidth(0);
        height = reader.getHeight(0);
      } catch (IOException | RuntimeException e) {
        throw new Rejected("corrupt " + format + " header: " + describe(e));
      }
      if ((long) width * height > spec.maxPixels()) {
        throw new Rejected("image is " + width + "x" + height + " (" + (long) width * height
            + " pixels), over the budget of " + spec.maxPixels() + " pixels");
      }
      Raster lumaPlane = null;
      BufferedImage image = null;
      try {
        if (luma) {
          lumaPlane = WholeImages.readJpegRaster(reader);
        } else {
          image = WholeImages.read(reader);
        }
      } catch (InvalidImageException e) {
        throw new Rejected(e.getMessage());
      } catch (IOException | RuntimeException e) {
        throw new Rejected("corrupt or truncated " + format + " (" + width + "x" + height + "): "
            + describe(e));
      }
      decoded = true;
      return luma ? normaliser.normaliseLuma(lumaPlane) : normaliser.normalise(image);
    } finally {
      if (kept) {
        // Only a reader that read its image whole goes back for the next one.
        Signatures.release(reader, decoded);
      } else {
        reader.dispose();
      }
    }
  }

  private static String describe(Throwable e) {
    String message = e.getMessage();
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !cause.getMessage().equals(message)) {
      message = message + ": " + cause.getMessage();
    }
    return message == null ? e.getClass().getSimpleName() : message;
  }

  /** A rejection with its reason, thrown inside {@link #read} only. */
  private static final class Rejected extends IOException {
    Rejected(String reason) {
      super(reason, null);
    }
  }
}
