package io.genstream.generator;

import io.genstream.core.image.ImageTensor;
import io.genstream.core.image.Png;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;

/**
 * The conditioning of a {@link GenerationRequest.Kind#VARIATIONS} request: its image encoded by
 * the leased version's {@link ImageEncoder}, then {@link Conditioning#variations}.
 *
 * <ol>
 *   <li>The version must have an encoder ({@link ModelLease#encoder()} says why not).
 *   <li>The PNG's size, read from its header before anything is decoded, must be the model's
 *       {@code width × height}; it is not resized.
 *   <li>It is decoded to the model's channels ({@link ImageTensor#fromPng}: luma for one, R, G, B
 *       for three) and scaled to [-1, 1].
 *   <li>A class-conditional encoder is given the request's {@code label}: the class the image
 *       shows, which the request must give (the decoder then draws every variation with it).
 *   <li>The encoder's mean and log-variance for the image go to {@link Conditioning#variations}.
 * </ol>
 *
 * <p>Blocks (PNG decoding, the encoder's first load, one encoder run of one image): call it on
 * an inference thread.
 */
final class Variations {

  private Variations() {}

  /**
   * @throws InvalidRequestException if the version has no encoder, the image is not a PNG of the
   *     model's size, or a conditional model's request gives no {@code label}
   * @throws UnknownModelException if the version's encoder cannot be loaded
   * @throws ModelNotReadyException while its load is retried
   */
  static Conditioning conditioning(GenerationRequest request, ModelLease lease) {
    ModelManifest manifest = lease.model().manifest();
    ImageEncoder encoder = lease.encoder();
    byte[] png = request.image();
    Png.Size size = Png.size(png);
    if (size.width() != manifest.width() || size.height() != manifest.height()) {
      throw new InvalidRequestException("image is " + size + ", model '" + manifest.name()
          + "' version " + manifest.version() + " takes " + manifest.width() + "x"
          + manifest.height());
    }
    long[] labels = null;
    if (manifest.conditional()) {
      if (request.label() == null) {
        throw new InvalidRequestException("model '" + manifest.name() + "' version "
            + manifest.version() + " is class-conditional: give the class the image shows as "
            + "label (0.." + (manifest.numClasses() - 1) + ") to vary it");
      }
      labels = new long[] {request.label()};
    }
    float[] image = ImageTensor.fromPng(png, manifest.channels()).toSymmetricUnit();
    ImageEncoder.Encoded encoded = encoder.encode(image, labels, 1);
    return Conditioning.variations(request, manifest, encoded.mean(0), encoded.logVar(0));
  }
}
