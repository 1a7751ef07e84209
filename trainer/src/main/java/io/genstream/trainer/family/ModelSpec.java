package io.genstream.trainer.family;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.genstream.core.messages.Json;
import io.genstream.core.messages.PublishedModel;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Everything that defines a model and how it trains, declared once: each component is a setting
 * with its {@link Doc}, its default comes from {@link #defaults(Family)}, and the compact
 * constructor validates it with a message naming the setting and its valid values. A spec is
 * read from a JSON or YAML file ({@link #read}), from {@code name=value} pairs (the CLI's
 * {@code --set}), or both; it travels in every version's manifest with its SHA-256.
 */
public record ModelSpec(
    @Doc("model family: cgan (class-conditional GAN), dcgan (unconditional GAN), vae "
        + "(variational autoencoder), framepred (next-frame video prediction)") Family family,
    @Doc("side of the square images, 16..128, of the form b·2^k with b in 3..7, k >= 2 (16, 28, 32, 64)")
        int imageSize,
    @Doc("colour channels, 1 (grey) or 3 (RGB)") int channels,
    @Doc("class labels 0..numClasses-1; 0 for an unconditional model (cgan needs >= 2)")
        int numClasses,
    @Doc("size of the latent vector z") int latentDim,
    @Doc("size of the generator's label embedding (conditional models)") int embeddingDim,
    @Doc("channels of the generator's (decoder's) feature maps, coarsest first; one per "
        + "upsampling stage") List<Integer> generatorWidths,
    @Doc("channels of the discriminator's (encoder's) strided convolutions, finest first")
        List<Integer> discriminatorWidths,
    @Doc("generator upsampling: nearest or bilinear (+3x3 conv), or pixelshuffle (conv + "
        + "sub-pixel)") Upsampling upsampling,
    @Doc("GAN objective: nonsaturating, lsgan, hinge, wgan (weight clipping), wgan-gp, ragan")
        Objective objective,
    @Doc("critic (discriminator) updates per generator update") int nCritic,
    @Doc("wgan: clip discriminator weights to [-clip, clip]") float clip,
    @Doc("wgan-gp: weight of the gradient penalty") float gradientPenalty,
    @Doc("one-sided label smoothing: real targets become 1 - labelSmoothing (0 = off)")
        float labelSmoothing,
    @Doc("weight of the feature-matching loss on the discriminator's features (0 = off)")
        float featureMatching,
    @Doc("exponential moving average of the generator's weights, exported instead of the raw "
        + "ones (e.g. 0.999; 0 = off)") float emaDecay,
    @Doc("spectral normalisation of the discriminator's weights") boolean spectralNorm,
    @Doc("minibatch standard deviation channel before the discriminator's head")
        boolean minibatchStddev,
    @Doc("SAGAN self-attention after the generator's first upsampling stage and the "
        + "discriminator's first convolution") boolean selfAttention,
    @Doc("weight of the mode-seeking regulariser (0 = off)") float modeSeeking,
    @Doc("cgan, dcgan: differentiable augmentation (DiffAugment) of every discriminator input, "
        + "real and fake alike: translation, cutout, color, comma-separated in the order applied, "
        + "or none") List<Augmentation> augment,
    @Doc("probability that an augmentation is applied to an image: a number in [0, 1], or "
        + "adaptive (ADA: p follows the overfitting heuristic r_t = E[sign(D(real))])")
        String augmentProbability,
    @Doc("adaptive augmentation: the r_t that p steers towards (ADA: 0.6)") float adaTarget,
    @Doc("adaptive augmentation: real images over which p can move from 0 to 1 (ADA: 500 000; "
        + "shorter for runs of minutes)") int adaImages,
    @Doc("cgan, dcgan: weight γ of the R1 penalty γ/2·E‖∇D(real)‖² on the discriminator "
        + "(0 = off)") float r1Gamma,
    @Doc("R1: applied every N steps with weight ×N (lazy regularisation; 1 = every step)")
        int r1Every,
    @Doc("vae: weight β of the KL term of the ELBO") float klWeight,
    @Doc("framepred: past frames the predictor sees") int contextFrames,
    @Doc("framepred: weight of the gradient-difference loss") float gradientDifference,
    @Doc("framepred: weight of the adversarial loss (0 = off)") float adversarial,
    @Doc("optimiser: adam or rmsprop") OptimizerKind optimizer,
    @Doc("learning rate of the generator (the only network of vae and framepred)")
        float generatorLearningRate,
    @Doc("learning rate of the discriminator") float discriminatorLearningRate,
    @Doc("Adam's first-moment decay (0.5 for GANs, as in DCGAN)") float beta1,
    @Doc("Adam's second-moment decay; RMSProp's decay") float beta2,
    @Doc("images per training step (per critic update)") int batchSize,
    @Doc("publish a version every N steps") int exportEvery,
    @Doc("batches used to recompute the generator's BatchNorm statistics before export "
        + "(0 = keep the running averages)") int batchNormCalibration,
    @Doc("seed of initialisation, latents and fake labels") long seed) {

  /** The model families. */
  public enum Family {
    CGAN, DCGAN, VAE, FRAMEPRED;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** GAN objectives. */
  public enum Objective {
    NONSATURATING, LSGAN, HINGE, WGAN, WGAN_GP, RAGAN;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /** How the generator doubles its resolution. */
  public enum Upsampling {
    NEAREST, BILINEAR, PIXELSHUFFLE;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** DiffAugment's operations (Zhao et al. 2020), for {@code augment}. */
  public enum Augmentation {
    /** Shift by up to 1/8 of the side, per sample and axis, zero padding. */
    TRANSLATION,
    /** A square of half the side zeroed at a random centre, per sample. */
    CUTOUT,
    /** Brightness, saturation and contrast, each with its own draw per sample. */
    COLOR;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Value of {@code augmentProbability} for ADA's adaptive p. */
  public static final String ADAPTIVE = "adaptive";

  /** Optimisers. */
  public enum OptimizerKind {
    ADAM, RMSPROP;

    @JsonValue
    public String id() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public ModelSpec {
    require(family != null, "family", family, "one of " + ids(Family.values()));
    require(objective != null, "objective", objective, "one of " + ids(Objective.values()));
    require(upsampling != null, "upsampling", upsampling, "one of " + ids(Upsampling.values()));
    require(optimizer != null, "optimizer", optimizer, "one of " + ids(OptimizerKind.values()));
    require(imageSize >= 16 && imageSize <= 128 && baseSize(imageSize) > 0, "imageSize",
        imageSize, "16..128 and b·2^k with b in 3..7, k >= 2 (e.g. 16, 28, 32, 48, 64)");
    require(channels == 1 || channels == 3, "channels", channels, "1 or 3");
    require(numClasses >= 0 && numClasses <= 1000, "numClasses", numClasses, "0..1000");
    require(family != Family.CGAN || numClasses >= 2, "numClasses", numClasses,
        ">= 2 for family cgan (use dcgan for an unconditional GAN)");
    require(family != Family.DCGAN || numClasses == 0, "numClasses", numClasses,
        "0 for family dcgan (use cgan for a class-conditional GAN)");
    require(latentDim >= 1 && latentDim <= 1024, "latentDim", latentDim, "1..1024");
    require(embeddingDim >= 1 && embeddingDim <= 1024, "embeddingDim", embeddingDim, "1..1024");
    generatorWidths = List.copyOf(generatorWidths);
    discriminatorWidths = List.copyOf(discriminatorWidths);
    int stages = imageSize >= 16 ? stages(imageSize) : 0;
    require(generatorWidths.size() == stages, "generatorWidths", generatorWidths,
        stages + " widths for imageSize " + imageSize + " (one per ×2 upsampling stage)");
    require(discriminatorWidths.size() == stages, "discriminatorWidths", discriminatorWidths,
        stages + " widths for imageSize " + imageSize + " (one per ×2 downsampling stage)");
    for (int w : generatorWidths) {
      require(w >= 1 && w <= 1024, "generatorWidths", generatorWidths, "widths in 1..1024");
    }
    for (int w : discriminatorWidths) {
      require(w >= 1 && w <= 1024, "discriminatorWidths", discriminatorWidths,
          "widths in 1..1024");
    }
    require(nCritic >= 1 && nCritic <= 100, "nCritic", nCritic, "1..100");
    require(clip > 0 && clip < 10, "clip", clip, "(0, 10)");
    require(gradientPenalty >= 0 && gradientPenalty <= 1000, "gradientPenalty", gradientPenalty,
        "0..1000");
    require(labelSmoothing >= 0 && labelSmoothing < 0.5, "labelSmoothing", labelSmoothing,
        "[0, 0.5)");
    require(featureMatching >= 0 && featureMatching <= 100, "featureMatching", featureMatching,
        "0..100");
    require(emaDecay == 0 || (emaDecay >= 0.5 && emaDecay < 1), "emaDecay", emaDecay,
        "0 (off) or [0.5, 1)");
    require(modeSeeking >= 0 && modeSeeking <= 100, "modeSeeking", modeSeeking, "0..100");
    if (augment == null) {
      // A spec written before the augmentation settings existed (an older checkpoint's): it
      // trained with none of them, and JSON without them leaves them null and 0.
      augment = List.of();
      augmentProbability = ADAPTIVE;
      adaTarget = 0.6f;
      adaImages = 20_000;
      r1Every = 1;
    }
    augment = List.copyOf(augment);
    require(augment.stream().distinct().count() == augment.size(), "augment",
        augment.stream().map(Augmentation::id).collect(Collectors.joining(",")),
        "each of " + ids(Augmentation.values()) + " at most once, or none");
    require(augmentProbability != null && (augmentProbability.equals(ADAPTIVE)
        || fixedProbability(augmentProbability) >= 0), "augmentProbability", augmentProbability,
        "a number in [0, 1] or " + ADAPTIVE);
    require(adaTarget > 0 && adaTarget < 1, "adaTarget", adaTarget, "(0, 1)");
    require(adaImages >= 100 && adaImages <= 100_000_000, "adaImages", adaImages,
        "100..100000000");
    require(r1Gamma >= 0 && r1Gamma <= 1000, "r1Gamma", r1Gamma, "0..1000");
    require(r1Every >= 1 && r1Every <= 1000, "r1Every", r1Every, "1..1000");
    require(klWeight >= 0 && klWeight <= 100, "klWeight", klWeight, "0..100");
    require(contextFrames >= 1 && contextFrames <= 16, "contextFrames", contextFrames, "1..16");
    require(gradientDifference >= 0 && gradientDifference <= 100, "gradientDifference",
        gradientDifference, "0..100");
    require(adversarial >= 0 && adversarial <= 100, "adversarial", adversarial, "0..100");
    require(generatorLearningRate > 0 && generatorLearningRate < 1, "generatorLearningRate",
        generatorLearningRate, "(0, 1)");
    require(discriminatorLearningRate > 0 && discriminatorLearningRate < 1,
        "discriminatorLearningRate", discriminatorLearningRate, "(0, 1)");
    require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "[0, 1)");
    require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "[0, 1)");
    // BatchNorm in training mode needs more than one value per channel; mode seeking pairs.
    require(batchSize >= 2 && batchSize <= 4096, "batchSize", batchSize, "2..4096");
    require(modeSeeking == 0 || batchSize % 2 == 0, "batchSize", batchSize,
        "even when modeSeeking is on (latents are paired)");
    require(exportEvery >= 1, "exportEvery", exportEvery, ">= 1");
    require(batchNormCalibration >= 0 && batchNormCalibration <= 1000, "batchNormCalibration",
        batchNormCalibration, "0..1000");
  }

  /** The defaults of a family: the skeleton's digits model for cgan, and its relatives. */
  public static ModelSpec defaults(Family family) {
    ModelSpec cgan = new ModelSpec(Family.CGAN, 28, 1, 10, 64, 16, List.of(128, 64),
        List.of(64, 128), Upsampling.NEAREST, Objective.NONSATURATING, 1, 0.01f, 10f, 0f, 0f,
        0f, false, false, false, 0f, List.of(), ADAPTIVE, 0.6f, 20_000, 0f, 4, 1f, 4, 1f, 0f,
        OptimizerKind.ADAM, 2e-4f, 2e-4f, 0.5f, 0.999f, 64, 200, 8, 42L);
    return switch (family) {
      case CGAN -> cgan;
      case DCGAN -> cgan.with(Map.of("family", "dcgan", "numClasses", "0"));
      // 5e-4: at 1e-3 a demo run's KL term ran away (it did not in a single-thread test).
      case VAE -> cgan.with(Map.of("family", "vae", "numClasses", "0", "latentDim", "16",
          "generatorLearningRate", "0.0005", "beta1", "0.9", "batchNormCalibration", "0"));
      case FRAMEPRED -> cgan.with(Map.of("family", "framepred", "numClasses", "0",
          "generatorWidths", "64,64", "discriminatorWidths", "32,64",
          "generatorLearningRate", "0.001", "beta1", "0.9", "batchNormCalibration", "0"));
    };
  }

  /**
   * This spec with some settings replaced, each given as text ({@code "0.001"}, {@code "true"},
   * {@code "128,64"}, {@code "wgan-gp"}). Widths follow a new {@code imageSize} unless given
   * too (see {@link #fitWidths}).
   *
   * @throws IllegalArgumentException naming the setting if a name is unknown or a value does not
   *     parse or validate
   */
  public ModelSpec with(Map<String, String> settings) {
    ObjectNode tree = Json.MAPPER.valueToTree(this);
    settings.forEach((name, text) -> tree.set(name, parse(name, text)));
    fitWidths(tree, settings.keySet());
    return fromTree(tree);
  }

  /**
   * Gives the networks one width per ×2 stage of the tree's {@code imageSize} where the widths
   * were not set explicitly ({@code given} lacks them), so that {@code imageSize=32} alone makes
   * a valid spec: the generator's first width is repeated in front of its list for each stage
   * added (or its first widths dropped), the discriminator's last width after its list. The
   * widths at the image's own resolution stay what they were.
   */
  private static void fitWidths(ObjectNode tree, java.util.Set<String> given) {
    int stages = stages(tree.get("imageSize").asInt());
    if (stages < 2) {
      return; // an invalid size: the constructor says so
    }
    if (!given.contains("generatorWidths")) {
      tree.set("generatorWidths", Json.MAPPER.valueToTree(
          fitted(widths(tree, "generatorWidths"), stages, true)));
    }
    if (!given.contains("discriminatorWidths")) {
      tree.set("discriminatorWidths", Json.MAPPER.valueToTree(
          fitted(widths(tree, "discriminatorWidths"), stages, false)));
    }
  }

  private static List<Integer> widths(ObjectNode tree, String name) {
    List<Integer> widths = new ArrayList<>();
    tree.get(name).forEach(node -> widths.add(node.asInt()));
    return widths;
  }

  /** {@code widths} grown or cut to {@code stages} at the low-resolution end. */
  private static List<Integer> fitted(List<Integer> widths, int stages, boolean generator) {
    if (widths.isEmpty()) {
      return widths;
    }
    List<Integer> fitted = new ArrayList<>(widths);
    while (fitted.size() < stages) {
      if (generator) {
        fitted.add(0, fitted.get(0));
      } else {
        fitted.add(fitted.get(fitted.size() - 1));
      }
    }
    while (fitted.size() > stages) {
      fitted.remove(generator ? 0 : fitted.size() - 1);
    }
    return fitted;
  }

  /**
   * A spec from a JSON or YAML file over the defaults of the family it names (cgan if none).
   *
   * @throws IllegalArgumentException naming the file and setting if it is not valid
   */
  public static ModelSpec read(Path file) {
    JsonNode tree;
    try {
      tree = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8)); // YAML ⊇ JSON
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read model spec " + file + ": " + e.getMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new IllegalArgumentException("model spec " + file + " must be a JSON/YAML object");
    }
    Family family = tree.has("family")
        ? parseEnum(Family.class, "family", tree.get("family").asText()) : Family.CGAN;
    ObjectNode merged = Json.MAPPER.valueToTree(defaults(family));
    java.util.Set<String> given = new java.util.HashSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      RecordComponent component = requireKnown(field.getKey());
      JsonNode value = field.getValue();
      // A list may be written as the text --set takes ("translation,cutout", "none").
      merged.set(field.getKey(), component.getType() == List.class && value.isTextual()
          ? parse(field.getKey(), value.asText()) : value);
      given.add(field.getKey());
    }
    try {
      if (merged.path("imageSize").isInt()) {
        fitWidths(merged, given);
      }
      return fromTree(merged);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model spec " + file + ": " + e.getMessage(), e);
    }
  }

  /** Canonical JSON: settings in declaration order. */
  public String toJson() {
    return Json.write(this);
  }

  /** The settings as a map (for the manifest). */
  @SuppressWarnings("unchecked")
  public Map<String, Object> toMap() {
    return Json.MAPPER.convertValue(this, LinkedHashMap.class);
  }

  /** SHA-256 of the canonical JSON: two versions with the same hash share their definition. */
  public String sha256() {
    return PublishedModel.sha256(toJson().getBytes(StandardCharsets.UTF_8));
  }

  /** Whether the model takes a class label. */
  public boolean conditional() {
    return numClasses > 0;
  }

  /** Whether {@code augmentProbability} is ADA's adaptive p. */
  public boolean adaptiveAugmentation() {
    return augmentProbability.equals(ADAPTIVE);
  }

  /**
   * The augmentation probability p to start from: the fixed value, or 0 for the adaptive p
   * (ADA starts without augmentation and raises p as the discriminator overfits).
   */
  public float initialAugmentProbability() {
    return adaptiveAugmentation() ? 0f : fixedProbability(augmentProbability);
  }

  /** A probability in [0, 1] written as text, or -1 if it is not one. */
  private static float fixedProbability(String text) {
    try {
      float p = Float.parseFloat(text.trim());
      return p >= 0 && p <= 1 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Side of the generator's first feature map (the b of imageSize = b·2^k). */
  public int baseSize() {
    return baseSize(imageSize);
  }

  /** Number of ×2 stages between the base size and the image size. */
  public int stages() {
    return stages(imageSize);
  }

  /** Scalars per image. */
  public int pixelsPerImage() {
    return channels * imageSize * imageSize;
  }

  /** Each setting's name, current value and documentation, in declaration order. */
  public List<String[]> describe() {
    Map<String, Object> values = toMap();
    List<String[]> rows = new ArrayList<>();
    for (RecordComponent component : ModelSpec.class.getRecordComponents()) {
      Doc doc = component.getAnnotation(Doc.class);
      Object value = values.get(component.getName());
      String text = value instanceof List<?> list
          ? (list.isEmpty() ? "none"
              : list.stream().map(String::valueOf).collect(Collectors.joining(",")))
          : String.valueOf(value);
      rows.add(new String[] {component.getName(), text, doc == null ? "" : doc.value()});
    }
    return rows;
  }

  /** Setting names in declaration order. */
  public static List<String> names() {
    return Arrays.stream(ModelSpec.class.getRecordComponents()).map(RecordComponent::getName)
        .toList();
  }

  private static int stages(int size) {
    int k = 0;
    while (size % 2 == 0 && size / 2 >= 3 && k < 8) {
      size /= 2;
      k++;
      if (size <= 7 && k >= 2) {
        return k;
      }
    }
    return -1;
  }

  private static int baseSize(int size) {
    int k = stages(size);
    return k < 2 ? -1 : size >> k;
  }

  private static ModelSpec fromTree(ObjectNode tree) {
    try {
      return Json.MAPPER.treeToValue(tree, ModelSpec.class);
    } catch (JsonProcessingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IllegalArgumentException iae) {
        throw iae; // our own validation message
      }
      throw new IllegalArgumentException("invalid model spec: " + e.getOriginalMessage(), e);
    }
  }

  private static JsonNode parse(String name, String text) {
    RecordComponent component = requireKnown(name);
    Class<?> type = component.getType();
    try {
      if (type == List.class) {
        Class<?> element = (Class<?>) ((ParameterizedType) component.getGenericType())
            .getActualTypeArguments()[0];
        List<Object> values = new ArrayList<>();
        if (element.isEnum()) {
          if (!text.trim().equalsIgnoreCase("none")) {
            for (String part : text.split(",")) {
              values.add(parseEnum(element, name, part));
            }
          }
        } else {
          for (String part : text.split(",")) {
            values.add(Integer.parseInt(part.trim()));
          }
        }
        return Json.MAPPER.valueToTree(values);
      }
      if (type == String.class) {
        return Json.MAPPER.valueToTree(text.trim());
      }
      if (type.isEnum()) {
        return Json.MAPPER.valueToTree(parseEnum(type, name, text));
      }
      if (type == boolean.class) {
        if (!text.equals("true") && !text.equals("false")) {
          throw new IllegalArgumentException(name + " must be true or false, got '" + text + "'");
        }
        return Json.MAPPER.valueToTree(Boolean.parseBoolean(text));
      }
      if (type == float.class) {
        return Json.MAPPER.valueToTree(Float.parseFloat(text));
      }
      if (type == int.class) {
        return Json.MAPPER.valueToTree(Integer.parseInt(text.trim()));
      }
      return Json.MAPPER.valueToTree(Long.parseLong(text.trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a number"
          + (type == List.class ? " list such as 128,64" : "") + ", got '" + text + "'");
    }
  }

  private static <E> E parseEnum(Class<E> type, String name, String text) {
    for (E constant : type.getEnumConstants()) {
      String id = ((Enum<?>) constant).name().toLowerCase(Locale.ROOT).replace('_', '-');
      if (id.equals(text.trim().toLowerCase(Locale.ROOT))) {
        return constant;
      }
    }
    throw new IllegalArgumentException(name + " must be one of "
        + ids((Object[]) type.getEnumConstants()) + ", got '" + text + "'");
  }

  private static RecordComponent requireKnown(String name) {
    for (RecordComponent component : ModelSpec.class.getRecordComponents()) {
      if (component.getName().equals(name)) {
        return component;
      }
    }
    throw new IllegalArgumentException("unknown model setting '" + name + "'; settings are "
        + names());
  }

  private static String ids(Object[] values) {
    return Arrays.stream(values)
        .map(v -> ((Enum<?>) v).name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .collect(Collectors.joining(", "));
  }

  private static void require(boolean ok, String name, Object value, String valid) {
    if (!ok) {
      throw new IllegalArgumentException(name + " must be " + valid + ", got " + value);
    }
  }

  /** Settings whose values differ between two specs, for "checkpoint does not fit" errors. */
  public Map<String, String> differences(ModelSpec other) {
    Map<String, Object> mine = toMap();
    Map<String, Object> theirs = other.toMap();
    Map<String, String> diff = new TreeMap<>();
    mine.forEach((name, value) -> {
      if (!String.valueOf(value).equals(String.valueOf(theirs.get(name)))) {
        diff.put(name, theirs.get(name) + " → " + value);
      }
    });
    return diff;
  }
}
