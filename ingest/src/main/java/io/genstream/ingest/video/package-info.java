/**
 * Video frames for next-frame prediction: {@link io.genstream.ingest.video.FrameSource}s
 * (synthetic {@link io.genstream.ingest.video.MovingDigits}, a
 * {@link io.genstream.ingest.video.FrameFolderSource folder of frames}, a
 * {@link io.genstream.ingest.video.PngStreamSource PNG pipe} such as ffmpeg's image2pipe) and
 * the {@link io.genstream.ingest.video.FrameIngestService} that publishes them to the frames
 * topic, one record per frame keyed by stream id, rejected frames to the dead-letter topic.
 *
 * <p>Frame indices ({@code ce_frame}) count from 0 per stream: the frame counter for synthetic
 * clips, the position in the stream for folders and pipes. A rejected frame keeps its index, so
 * the frames topic shows a gap there and a consumer knows the frames on either side are not
 * neighbours.
 */
package io.genstream.ingest.video;
