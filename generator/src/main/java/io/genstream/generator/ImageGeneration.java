package io.genstream.generator;

import io.genstream.core.image.GrayImage;
import io.genstream.core.image.Png;
import io.genstream.core.messages.GeneratedImage;
import io.genstream.core.messages.GenerationRequest;
import io.genstream.core.messages.InvalidRequestException;
import io.genstream.core.messages.ModelManifest;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking middle of the request pipeline: resolve the model, infer, encode. Both methods
 * block and must run on the generator's inference scheduler.
 *
 * <p>A seam for the roadmap: micro-batching across requests will group several requests' latents
 * into one {@link GenerativeModel#generate} call between {@link #infer} and {@link #encode}.
 */
final class ImageGeneration {

  /** What inference produced for one request, before encoding. */
  record Inferred(GenerationRequest request, long version, long[] labels, List<GrayImage> images) {}

  private final ModelRegistry registry;
  private final int maxCount;

  ImageGeneration(ModelRegistry registry, int maxCount) {
    this.registry = registry;
    this.maxCount = maxCount;
  }

  /**
   * Leases the requested version for the duration of one inference.
   *
   * @throws InvalidRequestException (including {@link UnknownModelException}) with a reason fit
   *     for the dead-letter record: count above the limit, unknown model or version, label out
   *     of range, a model this generator cannot serve
   */
  Inferred infer(GenerationRequest request) {
    if (request.count() > maxCount) {
      throw new InvalidRequestException("count must be 1.." + maxCount + ", got " + request.count());
    }
    try (ModelLease lease = registry.acquire(request.model(), request.version())) {
      GenerativeModel model = lease.model();
      ModelManifest manifest = model.manifest();
      Conditioning conditioning;
      try {
        conditioning = Conditioning.fromSeed(request.seed(), request.count(), manifest, request.label());
      } catch (IllegalArgumentException e) {
        throw new InvalidRequestException(e.getMessage());
      }
      List<GrayImage> images;
      try {
        images = model.generateImages(conditioning.latents(), conditioning.labels(), conditioning.count());
      } catch (UnsupportedOperationException e) {
        throw new InvalidRequestException(e.getMessage());
      }
      return new Inferred(request, manifest.version(), conditioning.labels(), images);
    }
  }

  /** One result per image, PNG-encoded, with the attributes that reproduce it. */
  List<GeneratedImage> encode(Inferred inferred) {
    GenerationRequest request = inferred.request();
    List<GeneratedImage> results = new ArrayList<>(inferred.images().size());
    for (int i = 0; i < inferred.images().size(); i++) {
      results.add(new GeneratedImage(request.requestId(), request.model(), inferred.version(),
          request.seed(), i, request.count(), (int) inferred.labels()[i],
          Png.encode(inferred.images().get(i))));
    }
    return results;
  }
}
