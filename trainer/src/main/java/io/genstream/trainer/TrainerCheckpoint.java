package io.genstream.trainer;

import io.genstream.core.kafka.KafkaConnection;
import io.genstream.core.kafka.TopicScan;
import io.genstream.core.messages.CloudEvents;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.TrainingState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * A trainer's state at a published version, kept on the compacted checkpoints topic under the
 * model's name, so that a restarted trainer (on any machine of the cluster) continues exactly
 * where that version left off: every network, the EMA weights, the optimiser's moments and
 * update counts, and the step count.
 *
 * <p>Value format 2 (big-endian): magic {@code GSCK}, format, model (UTF), version, images seen,
 * steps (longs), the spec as JSON (int length + UTF-8), the counters (count, then name (UTF)
 * and long), the tensors (count, then name (UTF), length and that many floats).
 *
 * @param model the model's name (the record key)
 * @param version the published version these weights are
 * @param imagesSeen images trained on up to this state
 * @param state everything the family needs to continue
 */
public record TrainerCheckpoint(String model, long version, long imagesSeen, TrainingState state) {

  private static final int MAGIC = 0x4753434B; // "GSCK"
  private static final int FORMAT = 2;

  public TrainerCheckpoint {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(state, "state");
  }

  /** The latest checkpoint of {@code model} on {@code topic}, read to its end (blocks). */
  public static Optional<TrainerCheckpoint> latest(KafkaConnection kafka, String topic,
      String model, Duration timeout) {
    byte[][] latest = {null};
    TopicScan.readToEnd(kafka, topic, timeout, record -> {
      // Only the pipeline's checkpoints: anything else keyed by the model is skipped.
      if (model.equals(record.key()) && CloudEvents.isOfType(record, CloudEvents.TYPE_CHECKPOINT)) {
        latest[0] = record.value(); // null: a tombstone, the checkpoint was deleted
      }
    });
    return Optional.ofNullable(latest[0]).map(TrainerCheckpoint::fromBytes);
  }

  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    Headers headers =
        CloudEvents.headers(CloudEvents.TYPE_CHECKPOINT, source, "application/octet-stream");
    CloudEvents.header(headers, "model", model);
    CloudEvents.header(headers, "modelversion", version);
    return new ProducerRecord<>(topic, null, model, toBytes(), headers);
  }

  public byte[] toBytes() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.toIntExact(state.size() * 4 + 8192));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT);
      out.writeUTF(model);
      out.writeLong(version);
      out.writeLong(imagesSeen);
      out.writeLong(state.steps());
      byte[] spec = state.spec().toJson().getBytes(StandardCharsets.UTF_8);
      out.writeInt(spec.length);
      out.write(spec);
      out.writeInt(state.counters().size());
      for (Map.Entry<String, Long> counter : state.counters().entrySet()) {
        out.writeUTF(counter.getKey());
        out.writeLong(counter.getValue());
      }
      out.writeInt(state.tensors().size());
      for (Map.Entry<String, float[]> entry : state.tensors().entrySet()) {
        float[] values = entry.getValue();
        out.writeUTF(entry.getKey());
        out.writeInt(values.length);
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES);
        buffer.asFloatBuffer().put(values);
        out.write(buffer.array());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /**
   * @throws IllegalArgumentException if the bytes are not a checkpoint of a format this version
   *     reads
   */
  public static TrainerCheckpoint fromBytes(byte[] value) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(value))) {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not a GenStream trainer checkpoint");
      }
      int format = in.readInt();
      if (format != FORMAT) {
        throw new IllegalArgumentException("checkpoint format " + format + " is not supported by"
            + " this version of GenStream (it reads format " + FORMAT + "; format 1 came before"
            + " model specs and kept no optimiser state)");
      }
      String model = in.readUTF();
      long version = in.readLong();
      long imagesSeen = in.readLong();
      long steps = in.readLong();
      int specLength = in.readInt();
      if (specLength < 2 || specLength > in.available()) {
        throw new IllegalArgumentException("implausible spec length " + specLength);
      }
      byte[] specBytes = new byte[specLength];
      in.readFully(specBytes);
      ModelSpec spec = io.genstream.core.messages.Json.read(
          new String(specBytes, StandardCharsets.UTF_8), ModelSpec.class);
      int counterCount = in.readInt();
      if (counterCount < 0 || counterCount > 10_000) {
        throw new IllegalArgumentException("implausible counter count " + counterCount);
      }
      Map<String, Long> counters = new LinkedHashMap<>();
      for (int i = 0; i < counterCount; i++) {
        counters.put(in.readUTF(), in.readLong());
      }
      Map<String, float[]> tensors = readTensors(in);
      if (in.read() != -1) {
        throw new IllegalArgumentException("trailing bytes after the checkpoint");
      }
      return new TrainerCheckpoint(model, version, imagesSeen,
          new TrainingState(spec, steps, tensors, counters));
    } catch (IOException e) {
      throw new IllegalArgumentException("truncated checkpoint: " + e, e);
    }
  }

  private static Map<String, float[]> readTensors(DataInputStream in) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > 100_000) {
      throw new IllegalArgumentException("implausible tensor count " + count);
    }
    Map<String, float[]> tensors = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      int length = in.readInt();
      if (length < 0 || length > in.available() / Float.BYTES) {
        throw new IllegalArgumentException("tensor " + name + " claims " + length
            + " values, more than the checkpoint holds");
      }
      byte[] raw = new byte[length * Float.BYTES];
      in.readFully(raw);
      float[] values = new float[length];
      ByteBuffer.wrap(raw).asFloatBuffer().get(values);
      tensors.put(name, values);
    }
    return tensors;
  }
}
