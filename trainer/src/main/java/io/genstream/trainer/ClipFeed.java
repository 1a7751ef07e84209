package io.genstream.trainer;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.kafka.ReceivedRecord;
import io.genstream.core.messages.VideoFrame;
import io.genstream.trainer.family.Batch;
import io.genstream.trainer.family.ModelFamily;
import io.genstream.trainer.family.ModelSpec;
import io.genstream.trainer.family.framepred.FramePredictionFamily;
import io.genstream.trainer.video.Clip;
import io.genstream.trainer.video.ClipAssembler;
import io.genstream.trainer.video.HeldOutClips;
import io.genstream.trainer.video.HeldOutScores;
import io.genstream.trainer.video.RolloutStrip;
import io.genstream.trainer.video.VideoOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The frames topic for {@code framepred}: frames become clips per stream ({@link ClipAssembler}),
 * about one clip in {@code holdOutEvery} is held out for the version's metrics ({@link
 * HeldOutClips}), and the rest train, fresh clips filled up with replayed ones ({@link
 * ReplayBuffer}) to a full batch, and each fresh batch is followed by a few replay-only steps, so
 * the trainer keeps learning while frames trickle in (see {@link VideoOptions} for the pacing).
 *
 * <p><b>Delivery.</b> A frame that completes a training clip is acknowledged once the step that
 * used the clip ran. Every other frame is acknowledged as soon as it is handled: a warm-up or
 * reset frame (its clip has no complete context), a duplicate, and the target of a held-out clip
 * (held in memory; the held-out set fills again after a restart). So no frame holds up the
 * partition's commits, and a restart re-delivers at most the frames of clips not yet trained on;
 * each run starts its windows afresh, so the first {@code k} frames of each stream after a
 * restart only warm up. Bad frames (not a PNG, the wrong size or channels, a wrong {@code
 * ce_type}, no frame index) go to the dead-letter topic with the reason.
 *
 * <p><b>Memory.</b> Bounded by {@code maxStreams · k} window frames, {@code replayCapacity +
 * heldOutClips} clips and one batch; frames are held as 8-bit tensors.
 */
final class ClipFeed implements TrainingFeed {

  private final TrainerOptions options;
  private final ModelSpec spec;
  private final VideoOptions video;
  private final HeldOutClips heldOut;
  private final ReplayBuffer<Clip> replay;

  ClipFeed(TrainerOptions options) {
    this.options = options;
    this.spec = options.spec();
    this.video = options.video();
    this.heldOut = new HeldOutClips(video.holdOutEvery(), video.heldOutClips());
    this.replay = new ReplayBuffer<>(video.replayCapacity(), spec.seed());
  }

  /**
   * Fresh clips up to a batch or {@code batchWait}, each batch followed by {@code
   * replayStepsPerBatch} replay-only steps ({@link TrainingFeed#freshThenReplayed}).
   */
  @Override
  public Flux<Step> batches(Flux<ReceivedRecord<String, byte[]>> records,
      DeadLetters deadLetters) {
    ClipAssembler assembler = new ClipAssembler(spec.contextFrames(), video.maxStreams());
    return TrainingFeed.freshThenReplayed(
        records.concatMap(received -> assemble(assembler, received, deadLetters)),
        spec.batchSize(), video.batchWait(), video.replayStepsPerBatch(), this::toStep);
  }

  /** The training clip this frame completes, or empty once the frame is handled otherwise. */
  private Mono<Sourced> assemble(ClipAssembler assembler, ReceivedRecord<String, byte[]> received,
      DeadLetters deadLetters) {
    VideoFrame.Decoded frame;
    try {
      frame = decode(received);
    } catch (IllegalArgumentException e) {
      return deadLetters.send(received, e.getMessage()).then(Mono.empty());
    }
    ClipAssembler.Offer offer = assembler.offer(frame.streamId(), frame.frame(), frame.image());
    if (offer.kind() == ClipAssembler.Kind.CLIP) {
      Clip clip = offer.clip();
      if (!heldOut.isHeldOut(clip.streamId(), clip.targetFrame())) {
        return Mono.just(new Sourced(clip, received));
      }
      heldOut.add(clip);
    }
    received.acknowledge();
    return Mono.empty();
  }

  private VideoFrame.Decoded decode(ReceivedRecord<String, byte[]> received) {
    VideoFrame.Decoded frame = VideoFrame.decode(received.record(), spec.channels());
    ImageTensor image = frame.image();
    if (image.width() != spec.imageSize() || image.height() != spec.imageSize()) {
      throw new IllegalArgumentException("frame must be " + spec.imageSize() + "x"
          + spec.imageSize() + " for model " + options.modelName() + ", got " + image.width()
          + "x" + image.height());
    }
    return frame;
  }

  /** The fresh clips (possibly none) filled up to a batch with replayed ones. */
  private Step toStep(List<Sourced> fresh) {
    int n = spec.batchSize();
    fresh.forEach(sourced -> replay.add(sourced.clip()));
    List<Clip> clips = new ArrayList<>(n);
    List<ReceivedRecord<String, byte[]>> done = new ArrayList<>(fresh.size());
    for (Sourced sourced : fresh) {
      clips.add(sourced.clip());
      done.add(sourced.source());
    }
    clips.addAll(replay.draw(n - clips.size()));
    int frames = spec.contextFrames() + 1;
    int perClip = frames * spec.pixelsPerImage();
    float[] values = new float[n * perClip];
    for (int i = 0; i < n; i++) {
      clips.get(i).writeTo(values, i * perClip, frames);
    }
    return new Step(new Batch(values, new int[n]), done, fresh.size());
  }

  @Override
  public Map<String, Double> evaluate(ModelFamily model) {
    return HeldOutScores.score((FramePredictionFamily) model, heldOut.snapshot()).metrics();
  }

  @Override
  public Path writeSamples(ModelFamily model, long version) throws IOException {
    return RolloutStrip.write((FramePredictionFamily) model, heldOut.snapshot(),
        video.rolloutFrames(), options.samplesDir(), options.modelName(), version);
  }

  @Override
  public String describe() {
    return "clips of " + spec.contextFrames() + "+1 frames from up to " + video.maxStreams()
        + " streams, 1 in " + video.holdOutEvery() + " held out (newest "
        + video.heldOutClips() + " kept), replay of " + video.replayCapacity()
        + " clips, " + video.replayStepsPerBatch() + " replay-only steps per fresh batch";
  }

  /** A training clip and the record of its target frame, acknowledged after its step. */
  private record Sourced(Clip clip, ReceivedRecord<String, byte[]> source) {}
}
