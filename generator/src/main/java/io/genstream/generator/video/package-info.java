/**
 * Real-time video-frame prediction: {@link io.genstream.generator.video.FramePredictionService}
 * reads frames per stream, publishes predicted next frames and scores them online against the
 * frame that came and against copy-last-frame. Configure it with
 * {@link io.genstream.generator.video.PredictorOptions}; watch it through
 * {@link io.genstream.generator.video.FramePredictionService#scores()} and a
 * {@link io.genstream.generator.video.PredictionListener}.
 */
package io.genstream.generator.video;
