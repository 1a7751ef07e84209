package io.genstream.trainer.family.gan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.genstream.trainer.nn.Activation;
import io.genstream.trainer.nn.Conv2d;
import io.genstream.trainer.nn.Flatten;
import io.genstream.trainer.nn.Forward;
import io.genstream.trainer.nn.Layer;
import io.genstream.trainer.nn.Linear;
import io.genstream.trainer.nn.ParameterDeclarations;
import io.genstream.trainer.nn.ParameterSpec;
import io.genstream.trainer.nn.ParameterStore;
import io.genstream.trainer.nn.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradientPenaltyTest {

  private static final float LAMBDA = 10f;

  private int threads;

  @BeforeEach
  void recordGradientsOnOneThread() {
    ai.djl.engine.Engine.getEngine("PyTorch");
    JniUtils.setGradMode(true); // a per-thread flag other tests may have left off
    // Tiny tensors: one intra-op thread is faster, and OpenMP's spinning threads slow down
    // badly on a busy 2-core machine.
    threads = JniUtils.getNumThreads();
    JniUtils.setNumThreads(1);
  }

  @AfterEach
  void restoreThreads() {
    JniUtils.setNumThreads(threads);
  }

  /** Linear(4→3) → tanh → Linear(3→1): its input gradient depends on every parameter. */
  @Test
  void parameterGradientsOfLossPlusPenaltyMatchFiniteDifferences() {
    Layer mlp = Sequential.of(new Linear("l1", 4, 3), Activation.tanh(), new Linear("l2", 3, 1));
    int n = 6;
    Random data = new Random(11);
    Map<String, double[]> theta = gaussianValues(mlp, data, 0.8);
    double[] real = gaussian(data, n * 4);
    double[] fake = gaussian(data, n * 4);

    try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        NDManager step = base.newSubManager()) {
      ParameterStore store = store(base, mlp, theta);
      Function<NDArray, NDArray> critic = x -> mlp.forward(training(store), x);
      NDArray realX = step.create(floats(real), new Shape(n, 4));
      NDArray fakeX = step.create(floats(fake), new Shape(n, 4));

      NDArray loss = critic.apply(fakeX).mean().sub(critic.apply(realX).mean());
      NDArray penalty = GradientPenalty.penalty(critic, realX, fakeX, new Random(42), LAMBDA);
      // The penalty's own input gradient touched no parameter gradient.
      store.trainable().values().forEach(w -> assertThat(gradient(w)).isNull());
      backward(loss.add(penalty));

      double[] epsilon = epsilons(new Random(42), n);
      ToDoubleFunction<Map<String, double[]>> objective = t ->
          meanScore(t, fake, n) - meanScore(t, real, n)
              + mlpPenalty(t, interpolate(real, fake, epsilon, 4));
      assertThat((double) penalty.getFloat())
          .isCloseTo(mlpPenalty(theta, interpolate(real, fake, epsilon, 4)), within(1e-4));
      assertGradientsMatch(store, finiteDifferences(theta, objective));
    }
  }

  @Test
  void penaltyIsZeroWhereTheCriticsGradientHasNormOneAndGrowsAwayFromIt() {
    assertThat(linearCriticPenalty(1f)).isLessThan(1e-6f);
    assertThat(linearCriticPenalty(2f)).isCloseTo(LAMBDA * 1f, within(1e-4f)); // (2 − 1)²
    assertThat(linearCriticPenalty(0.5f)).isCloseTo(LAMBDA * 0.25f, within(1e-4f)); // (½ − 1)²
  }

  @Test
  void nothingReachesTheGeneratorThroughThePenaltyAndBadInputsAreRefused() {
    Layer mlp = Sequential.of(new Linear("l1", 4, 3), Activation.tanh(), new Linear("l2", 3, 1));
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        NDManager step = base.newSubManager()) {
      ParameterStore store = store(base, mlp, gaussianValues(mlp, new Random(3), 0.8));
      Function<NDArray, NDArray> critic = x -> mlp.forward(training(store), x);
      NDArray real = step.randomNormal(new Shape(3, 4));
      NDArray generated = step.randomNormal(new Shape(3, 4));
      generated.setRequiresGradient(true); // stands for the generator's output
      NDArray fake = generated.mul(2f);

      backward(GradientPenalty.penalty(critic, real, fake, new Random(1), LAMBDA));

      assertThat(gradient(generated)).isNull();
      assertThat(gradient(store.get("l1.weight"))).isNotNull();
      assertThatThrownBy(() -> GradientPenalty.penalty(critic, real, step.zeros(new Shape(2, 4)),
          new Random(1), LAMBDA)).hasMessageContaining("differ in shape");
      assertThatThrownBy(() -> GradientPenalty.penalty(critic, real, fake, new Random(1), -1f))
          .hasMessageContaining("weight must be finite and >= 0");
      assertThatThrownBy(() -> GradientPenalty.penalty(x -> critic.apply(x).stopGradient(), real,
          fake, new Random(1), LAMBDA)).hasMessageContaining("cannot differentiate");
    }
  }

  @Test
  void inputGradientWorksOnNamedArraysAndLeavesTheirNames() {
    try (NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray x = manager.create(new float[] {1f, -2f, 3f});
      x.setName("images.batch"); // IValueUtils would read a dotted name as a dict entry
      x.setRequiresGradient(true);

      NDArray gradient = GradientPenalty.inputGradient(x.square(), x);

      assertThat(gradient.toFloatArray()).containsExactly(2f, -4f, 6f);
      assertThat(x.getName()).isEqualTo("images.batch");
      assertThat(gradient(x)).isNull(); // returned, not accumulated
    }
  }

  @Test
  void twoThreadsComputePenaltiesAtOnceAndGetWhatOneThreadGets() throws Exception {
    float[] alone = mlpPenaltyAndGradient(3);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var first = pool.submit(() -> mlpPenaltyAndGradient(3));
      var second = pool.submit(() -> mlpPenaltyAndGradient(4));
      assertThat(first.get()).containsExactly(alone);
      assertThat(second.get()[0]).isFinite().isNotEqualTo(alone[0]);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * 300 critic steps (loss + penalty, backward, SGD in place, zero the gradients) on batches of
   * 32 images of 28×28. A gradient with a graph left in a {@code .grad} would keep the
   * interpolates, their gradient and the step's graph alive: the same loop with a create-graph
   * {@code backward} and {@code x̂.getGradient()} in place of {@code autograd.grad} grew RSS by
   * 185 MB over these 300 steps, with the managed array count flat. The bound is far below
   * that.
   */
  @Test
  void nativeMemoryStaysFlatOverManyCriticSteps() throws IOException {
    int n = 32;
    Layer body = Sequential.of(Conv2d.down4x4("c1", 1, 4), Activation.leakyRelu(0.2f),
        new Flatten(), new Linear("out", 4 * 14 * 14, 1));
    Random random = new Random(5);
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = store(base, body, gaussianValues(body, new Random(2), 0.1));
      Function<NDArray, NDArray> critic = x -> body.forward(training(store), x);
      NDArray reals = base.create(floats(gaussian(random, n * 784)), new Shape(n, 1, 28, 28));
      NDArray fakes = base.create(floats(gaussian(random, n * 784)), new Shape(n, 1, 28, 28));
      int warmUp = 40;
      int steps = 300;
      long rssBefore = 0;
      int arraysBefore = 0;
      for (int i = 0; i < warmUp + steps; i++) {
        if (i == warmUp) {
          System.gc();
          rssBefore = rssKb();
          arraysBefore = base.getManagedArrays().size();
        }
        try (NDManager step = base.newSubManager()) {
          JniUtils.setGradMode(true);
          NDArray real = reals.get(":"); // views, so that the step's arrays live in `step`
          NDArray fake = fakes.get(":");
          real.attach(step);
          fake.attach(step);
          NDArray scores = critic.apply(NDArrays.concat(new NDList(real, fake))); // [2N, 1]
          NDArray loss = scores.get(n + ":").mean().sub(scores.get("0:" + n).mean());
          backward(loss.add(GradientPenalty.penalty(critic, real, fake, random, LAMBDA)));
          JniUtils.setGradMode(false);
          for (NDArray weight : store.trainable().values()) {
            try (NDArray gradient = gradient(weight)) {
              assertThat(carriesGraph(gradient)).isFalse();
              weight.subi(gradient.muli(1e-4f));
            }
            JniUtils.zeroGrad((PtNDArray) weight);
          }
        }
      }
      System.gc();
      long grownKb = rssKb() - rssBefore;

      assertThat(base.getManagedArrays().size()).isEqualTo(arraysBefore);
      assertThat(grownKb).as("RSS growth over %d steps, KiB", steps).isLessThan(24 * 1024);
      assertThat(store.get("out.weight").sum().getFloat()).isFinite();
    }
  }

  /** Conv2d 4×4 s2 → LeakyReLU → Flatten → Linear on 8 images of 1×8×8, against float64. */
  @Test
  void imageCriticGradientsMatchFiniteDifferencesInDoublePrecision() {
    int n = 8;
    Layer body = Sequential.of(Conv2d.down4x4("c1", 1, 4), Activation.leakyRelu(0.2f),
        new Flatten(), new Linear("out", 4 * 4 * 4, 1));
    Random data = new Random(21);
    Map<String, double[]> theta = gaussianValues(body, data, 0.5);
    double[] real = gaussian(data, n * 64);
    double[] fake = gaussian(data, n * 64);
    Shape images = new Shape(n, 1, 8, 8);

    try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch");
        NDManager step = base.newSubManager()) {
      ParameterStore store = store(base, body, theta);
      NDArray penalty = GradientPenalty.penalty(x -> body.forward(training(store), x),
          step.create(floats(real), images), step.create(floats(fake), images), new Random(7),
          LAMBDA);
      backward(penalty);

      double[] interpolates = interpolate(real, fake, epsilons(new Random(7), n), 64);
      ToDoubleFunction<Map<String, double[]>> reference =
          t -> float64Penalty(base, body, t, interpolates, images);
      assertThat(penalty.getFloat()).isFinite().isPositive();
      assertThat((double) penalty.getFloat())
          .isCloseTo(reference.applyAsDouble(theta), within(1e-4 * penalty.getFloat()));
      assertGradientsMatch(store, finiteDifferences(theta, reference));
    }
  }

  // ---- helpers ----

  /**
   * After 20 steps of a seeded MLP critic on seeded data: the last penalty and one entry of its
   * parameter gradient.
   */
  private static float[] mlpPenaltyAndGradient(long seed) {
    JniUtils.setGradMode(true);
    Layer mlp = Sequential.of(new Linear("l1", 4, 3), Activation.tanh(), new Linear("l2", 3, 1));
    Random random = new Random(seed);
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = store(base, mlp, gaussianValues(mlp, random, 0.8));
      float[] values = new float[0];
      for (int i = 0; i < 20; i++) {
        try (NDManager step = base.newSubManager()) {
          NDArray penalty = GradientPenalty.penalty(x -> mlp.forward(training(store), x),
              step.create(floats(gaussian(random, 16)), new Shape(4, 4)),
              step.create(floats(gaussian(random, 16)), new Shape(4, 4)), random, LAMBDA);
          backward(penalty);
          try (NDArray gradient = gradient(store.get("l1.weight"))) {
            values = new float[] {penalty.getFloat(), gradient.getFloat(0, 0)};
          }
        }
      }
      return values;
    }
  }

  /** The penalty of D(x) = w·x with ‖w‖ = {@code norm}, on 5 random pairs of 4-vectors. */
  private static float linearCriticPenalty(float norm) {
    Layer linear = new Linear("fc", 4, 1);
    Map<String, double[]> theta = Map.of("fc.weight",
        new double[] {0.6 * norm, 0.8 * norm, 0, 0}, "fc.bias", new double[] {0.3});
    try (NDManager base = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      ParameterStore store = store(base, linear, theta);
      return GradientPenalty.penalty(x -> linear.forward(training(store), x),
          base.randomNormal(new Shape(5, 4)), base.randomNormal(new Shape(5, 4)), new Random(1),
          LAMBDA).getFloat();
    }
  }

  /** Central differences of {@code f} in every parameter coordinate, in double precision. */
  private static Map<String, double[]> finiteDifferences(Map<String, double[]> theta,
      ToDoubleFunction<Map<String, double[]>> f) {
    double h = 1e-6;
    Map<String, double[]> gradients = new LinkedHashMap<>();
    theta.forEach((name, values) -> {
      double[] gradient = new double[values.length];
      for (int i = 0; i < values.length; i++) {
        double original = values[i];
        values[i] = original + h;
        double up = f.applyAsDouble(theta);
        values[i] = original - h;
        double down = f.applyAsDouble(theta);
        values[i] = original;
        gradient[i] = (up - down) / (2 * h);
      }
      gradients.put(name, gradient);
    });
    return gradients;
  }

  /**
   * Whether a {@code .grad} holds a graph (a create-graph backward left it there). DJL cannot
   * read {@code grad_fn} safely, but PyTorch refuses {@code requires_grad_} on non-leaf tensors.
   */
  private static boolean carriesGraph(NDArray gradient) {
    try {
      JniUtils.attachGradient((PtNDArray) gradient, false); // a no-op on a plain gradient
      return false;
    } catch (ai.djl.engine.EngineException e) {
      return true;
    }
  }

  /**
   * Every parameter's accumulated gradient equals the reference within 1e-4 of the largest
   * reference value, and is a plain tensor.
   */
  private static void assertGradientsMatch(ParameterStore store, Map<String, double[]> expected) {
    double scale = expected.values().stream().flatMapToDouble(java.util.Arrays::stream)
        .map(Math::abs).max().orElseThrow();
    assertThat(scale).isGreaterThan(0.1);
    expected.forEach((name, reference) -> {
      try (NDArray gradient = gradient(store.get(name))) {
        // Undefined where nothing reached the parameter (the output bias, for the penalty).
        float[] actual = gradient == null ? new float[reference.length] : gradient.toFloatArray();
        assertThat(gradient != null && carriesGraph(gradient)).as(name).isFalse();
        for (int i = 0; i < reference.length; i++) {
          assertThat((double) actual[i]).as("%s[%d]", name, i)
              .isCloseTo(reference[i], within(1e-4 * scale));
        }
      }
    });
  }

  /** The image critic's penalty at {@code θ} in float64, from a first-order input gradient. */
  private static double float64Penalty(NDManager base, Layer body, Map<String, double[]> theta,
      double[] interpolates, Shape images) {
    try (NDManager scope = base.newSubManager()) {
      Map<String, NDArray> values = new HashMap<>();
      ParameterDeclarations.of(body).forEach(spec -> values.put(spec.name(),
          scope.create(theta.get(spec.name()), new Shape(spec.shape()))));
      NDArray x = scope.create(interpolates, images);
      x.setRequiresGradient(true);
      NDArray total = body.forward(Forward.training(values::get, Map.of()), x).sum();
      backward(total); // first order only: no graph is kept in x's gradient
      try (NDArray gradient = gradient(x)) {
        assertThat(gradient.getDataType()).isEqualTo(DataType.FLOAT64);
        double[] g = gradient.toDoubleArray();
        int per = g.length / (int) images.get(0);
        double sum = 0;
        for (int i = 0; i < images.get(0); i++) {
          double squares = 0;
          for (int k = 0; k < per; k++) {
            squares += g[i * per + k] * g[i * per + k];
          }
          sum += Math.pow(Math.sqrt(squares) - 1, 2);
        }
        return LAMBDA * sum / images.get(0);
      }
    }
  }

  /** λ·mean(‖∇D‖ − 1)² for the 4→3→1 tanh MLP, analytically in double precision. */
  private static double mlpPenalty(Map<String, double[]> t, double[] x) {
    double[] w1 = t.get("l1.weight");
    double[] b1 = t.get("l1.bias");
    double[] w2 = t.get("l2.weight");
    int n = x.length / 4;
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double[] g = new double[4];
      for (int j = 0; j < 3; j++) {
        double h = b1[j];
        for (int k = 0; k < 4; k++) {
          h += w1[j * 4 + k] * x[i * 4 + k];
        }
        double slope = w2[j] * (1 - Math.tanh(h) * Math.tanh(h));
        for (int k = 0; k < 4; k++) {
          g[k] += slope * w1[j * 4 + k];
        }
      }
      double squares = 0;
      for (double v : g) {
        squares += v * v;
      }
      sum += Math.pow(Math.sqrt(squares) - 1, 2);
    }
    return LAMBDA * sum / n;
  }

  /** Mean MLP score over a batch of 4-vectors, in double precision. */
  private static double meanScore(Map<String, double[]> t, double[] x, int n) {
    double[] w1 = t.get("l1.weight");
    double[] b1 = t.get("l1.bias");
    double[] w2 = t.get("l2.weight");
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double score = t.get("l2.bias")[0];
      for (int j = 0; j < 3; j++) {
        double h = b1[j];
        for (int k = 0; k < 4; k++) {
          h += w1[j * 4 + k] * x[i * 4 + k];
        }
        score += w2[j] * Math.tanh(h);
      }
      sum += score;
    }
    return sum / n;
  }

  /** The ε the penalty draws: one nextFloat per sample, in order. */
  private static double[] epsilons(Random random, int n) {
    double[] epsilon = new double[n];
    for (int i = 0; i < n; i++) {
      epsilon[i] = random.nextFloat();
    }
    return epsilon;
  }

  private static double[] interpolate(double[] real, double[] fake, double[] epsilon, int per) {
    double[] x = new double[real.length];
    for (int i = 0; i < x.length; i++) {
      double e = epsilon[i / per];
      // As the penalty computes it in float: fake + ε·(real − fake).
      x[i] = (float) fake[i] + e * ((float) real[i] - (float) fake[i]);
    }
    return x;
  }

  private static ParameterStore store(NDManager manager, Layer layer, Map<String, double[]> t) {
    ParameterStore store =
        new ParameterStore(manager, ParameterDeclarations.of(layer), new Random(0), true);
    Map<String, float[]> values = new HashMap<>();
    t.forEach((name, v) -> values.put(name, floats(v)));
    store.load(values);
    return store;
  }

  private static Map<String, double[]> gaussianValues(Layer layer, Random random, double std) {
    Map<String, double[]> values = new LinkedHashMap<>();
    for (ParameterSpec spec : ParameterDeclarations.of(layer)) {
      double[] v = gaussian(random, spec.size());
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (v[i] * std); // representable in float: the store holds float32
      }
      values.put(spec.name(), v);
    }
    return values;
  }

  private static double[] gaussian(Random random, int size) {
    double[] values = new double[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static float[] floats(double[] values) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return f;
  }

  private static Forward training(ParameterStore store) {
    return Forward.training(store::get, Map.of());
  }

  private static void backward(NDArray scalar) {
    try (NDArray seed = scalar.onesLike()) {
      JniUtils.backward((PtNDArray) scalar, (PtNDArray) seed, false, false);
    }
  }

  /** The array's {@code .grad} (a new handle in its manager: close it), or null if undefined. */
  private static NDArray gradient(NDArray array) {
    return JniUtils.getGradient((PtNDArray) array);
  }

  private static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS in /proc/self/status");
  }
}
