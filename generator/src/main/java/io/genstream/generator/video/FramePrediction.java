package io.genstream.generator.video;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.messages.CloudEvents;
import io.genstream.core.messages.VideoFrame;
import java.time.Instant;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;

/**
 * One predicted frame of a stream, as it travels on the predictions topic: PNG bytes as the
 * value, the stream id as the key, and the attributes {@code ce_type}
 * {@value CloudEvents#TYPE_PREDICTION}, {@code ce_streamid}, {@code ce_frame} (the predicted
 * frame's index), {@code ce_basedon} (the index of the last real frame it was predicted from),
 * {@code ce_step} (1 for the next frame, up to the horizon for a rollout), {@code ce_model},
 * {@code ce_modelversion} and {@code ce_capturetime} (the capture time of frame
 * {@code basedOn}, so that a consumer can measure latency).
 *
 * <p>Kept in the generator (not core) because only the predictor writes it today; a consumer
 * reads the headers above.
 *
 * @param image the prediction as published: 8-bit, the model's output in [-1, 1] rounded
 */
public record FramePrediction(String streamId, long frame, long basedOn, int step, String model,
    long version, Instant captureTime, ImageTensor image) {

  public ProducerRecord<String, byte[]> toRecord(String topic, String source) {
    Headers headers = CloudEvents.headers(CloudEvents.TYPE_PREDICTION, source,
        VideoFrame.CONTENT_TYPE);
    CloudEvents.header(headers, "streamid", streamId);
    CloudEvents.header(headers, "frame", frame);
    CloudEvents.header(headers, "basedon", basedOn);
    CloudEvents.header(headers, "step", step);
    CloudEvents.header(headers, "model", model);
    CloudEvents.header(headers, "modelversion", version);
    CloudEvents.header(headers, "capturetime", captureTime.toString());
    return new ProducerRecord<>(topic, null, streamId, image.toPng(), headers);
  }
}
