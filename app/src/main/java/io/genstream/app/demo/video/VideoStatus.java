package io.genstream.app.demo.video;

import io.genstream.generator.video.PredictionScores;
import io.genstream.trainer.TrainerSummary;

/** A snapshot of the video pipeline's services, for the progress line and the summary. */
public record VideoStatus(long framesSent, long framesDeadLettered, TrainerSummary trainer,
    PredictionScores predictor) {}
