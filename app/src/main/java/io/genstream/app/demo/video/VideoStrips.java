package io.genstream.app.demo.video;

import io.genstream.core.config.Topics;
import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.VideoFrame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a person looks at to judge video prediction: per stream, a strip PNG with the frames
 * that really came on top and, below each, the frame the predictor published for that index
 * (one step ahead). It reads the frames and predictions topics from their beginning on its own
 * thread, without a consumer group, so it never takes records from a service.
 *
 * <p>Memory is bounded: the last {@code columns} frames and predictions of at most
 * {@code maxStreams} streams (the least recently updated stream is dropped first).
 */
public final class VideoStrips implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(VideoStrips.class);
  static final int BORDER = 2;
  static final int BORDER_GRAY = 96;
  /** A cell with no prediction (the stream was warming up) is this dark gray. */
  static final int MISSING_GRAY = 40;

  private final int channels;
  private final int columns;
  private final int maxStreams;
  // Access-ordered: the eldest entry is the stream updated least recently. Guarded by `this`.
  private final Map<String, Stream> streams;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Topics topics;
  private final Thread reader;
  private volatile boolean closed;

  /**
   * Starts reading both topics from their beginning on a daemon thread.
   *
   * @param columns frames per strip
   * @param maxStreams streams kept; strips are written for these
   */
  public VideoStrips(String bootstrapServers, Topics topics, int channels, int columns,
      int maxStreams) {
    this(topics, channels, columns, maxStreams, consumer(bootstrapServers));
  }

  VideoStrips(Topics topics, int channels, int columns, int maxStreams,
      KafkaConsumer<String, byte[]> consumer) {
    if (columns < 1 || maxStreams < 1) {
      throw new IllegalArgumentException("columns and maxStreams must be >= 1");
    }
    this.topics = topics;
    this.channels = channels;
    this.columns = columns;
    this.maxStreams = maxStreams;
    this.streams = new LinkedHashMap<>(16, 0.75f, true);
    this.consumer = consumer;
    if (consumer != null) {
      this.reader = new Thread(this::read, "genstream-video-strips");
      reader.setDaemon(true);
      reader.start();
    } else {
      this.reader = null;
    }
  }

  /** Strips fed by {@link #accept} only (tests). */
  static VideoStrips detached(Topics topics, int channels, int columns, int maxStreams) {
    return new VideoStrips(topics, channels, columns, maxStreams, null);
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrapServers) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "genstream-video-strips");
    return new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
  }

  private void read() {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(topics.frames(), topics.predictions())) {
        consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(p ->
            partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          accept(record);
        }
      }
    } catch (WakeupException e) {
      // close() woke the poll: done.
    } catch (RuntimeException e) {
      if (!closed) {
        log.warn("video strips stopped reading: {}", e.toString());
      }
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Takes one frame or prediction record; anything unreadable is ignored (it is not ours to judge). */
  void accept(ConsumerRecord<String, byte[]> record) {
    try {
      if (record.topic().equals(topics.frames())) {
        VideoFrame.Decoded frame = VideoFrame.decode(record, channels);
        put(frame.streamId(), frame.frame(), frame.image(), true);
      } else if (record.topic().equals(topics.predictions())) {
        long step = CloudEvents.attribute(record.headers(), "step").map(Long::parseLong).orElse(1L);
        if (step == 1) {
          String stream = CloudEvents.requiredAttribute(record.headers(), "streamid");
          long index = Long.parseLong(CloudEvents.requiredAttribute(record.headers(), "frame"));
          put(stream, index, ImageTensor.fromPng(record.value(), channels), false);
        }
      }
    } catch (IllegalArgumentException e) {
      log.debug("video strips skip {}-{}@{}: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
    }
  }

  private synchronized void put(String streamId, long index, ImageTensor image, boolean actual) {
    Stream stream = streams.computeIfAbsent(streamId, id -> new Stream());
    TreeMap<Long, ImageTensor> target = actual ? stream.actual : stream.predicted;
    target.put(index, image);
    // A prediction may run one frame ahead of the frames: keep one more of those.
    while (target.size() > columns + (actual ? 0 : 1)) {
      target.pollFirstEntry();
    }
    if (streams.size() > maxStreams) {
      streams.remove(streams.keySet().iterator().next());
    }
  }

  /** Streams held now, at most {@code maxStreams}. */
  public synchronized int streams() {
    return streams.size();
  }

  /**
   * Writes {@code <dir>/<stream>.png} for every stream held (names cleaned to letters, digits,
   * '.', '_' and '-').
   *
   * @return the files written, by stream id
   */
  public Map<String, Path> write(Path dir) throws IOException {
    Map<String, byte[]> pngs = new TreeMap<>();
    synchronized (this) {
      streams.forEach((id, stream) -> {
        ImageTensor strip = stream.strip(columns);
        if (strip != null) {
          pngs.put(id, strip.toPng());
        }
      });
    }
    Files.createDirectories(dir);
    Map<String, Path> written = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> entry : pngs.entrySet()) {
      Path file = dir.resolve(entry.getKey().replaceAll("[^A-Za-z0-9._-]", "_") + ".png");
      Files.write(file, entry.getValue());
      written.put(entry.getKey(), file);
    }
    return written;
  }

  @Override
  public void close() {
    closed = true;
    if (reader != null) {
      consumer.wakeup();
      try {
        reader.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One stream's latest frames and step-1 predictions, by frame index. */
  private static final class Stream {
    final TreeMap<Long, ImageTensor> actual = new TreeMap<>();
    final TreeMap<Long, ImageTensor> predicted = new TreeMap<>();

    /** Actual frames on top, the predictions for the same indices below; null before any frame. */
    ImageTensor strip(int columns) {
      if (actual.isEmpty()) {
        return null;
      }
      ImageTensor first = actual.firstEntry().getValue();
      int c = first.channels();
      int h = first.height();
      int w = first.width();
      int scale = Math.max(1, Math.min(4, 64 / Math.max(h, w)));
      int cellW = w * scale;
      int cellH = h * scale;
      List<Long> indices = new ArrayList<>(actual.keySet());
      int n = Math.min(columns, indices.size());
      indices = indices.subList(indices.size() - n, indices.size());
      int width = n * (cellW + BORDER) + BORDER;
      int height = 2 * (cellH + BORDER) + BORDER;
      byte[] chw = new byte[c * width * height];
      Arrays.fill(chw, (byte) BORDER_GRAY);
      for (int col = 0; col < n; col++) {
        long index = indices.get(col);
        int x0 = BORDER + col * (cellW + BORDER);
        paint(chw, c, width, height, x0, BORDER, actual.get(index), scale, cellW, cellH);
        paint(chw, c, width, height, x0, 2 * BORDER + cellH, predicted.get(index), scale, cellW,
            cellH);
      }
      return new ImageTensor(c, height, width, chw);
    }

    private static void paint(byte[] chw, int channels, int width, int height, int x0, int y0,
        ImageTensor image, int scale, int cellW, int cellH) {
      boolean fits = image != null && image.channels() == channels
          && image.width() * scale == cellW && image.height() * scale == cellH;
      for (int ch = 0; ch < channels; ch++) {
        int plane = ch * width * height;
        for (int y = 0; y < cellH; y++) {
          for (int x = 0; x < cellW; x++) {
            byte level = fits
                ? image.chw()[(ch * image.height() + y / scale) * image.width() + x / scale]
                : (byte) MISSING_GRAY;
            chw[plane + (y0 + y) * width + x0 + x] = level;
          }
        }
      }
    }
  }
}
