/**
 * GenStream generator: follows the model registry topic, keeps ONNX Runtime sessions for the
 * versions it serves, and turns generation requests into result images.
 *
 * <p>Entry points: {@link io.genstream.generator.GeneratorService} (the request service),
 * {@link io.genstream.generator.ModelRegistry} (versions and leases),
 * {@link io.genstream.generator.ModelLoader} (ONNX bytes to a
 * {@link io.genstream.generator.GenerativeModel}) and
 * {@link io.genstream.generator.Conditioning} (the reproducible latent rule). A
 * {@code framepred} version loads as a {@link io.genstream.generator.FramePredictor} (a lease's
 * {@link io.genstream.generator.ModelLease#predictor()}); the video prediction service lives in
 * {@code io.genstream.generator.video}. Implementations live in
 * {@code io.genstream.generator.internal}.
 */
package io.genstream.generator;
