package io.genstream.trainer.family.gan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code torch.autograd.grad(create_graph=True)} for DJL, which exposes only
 * {@code Tensor.backward}: a TorchScript module with one two-line method, written as a
 * TorchScript archive in memory and loaded once per JVM.
 *
 * <p>Why not {@code JniUtils.backward(y, ones, keepGraph=true, createGraph=true)} and
 * {@code x.getGradient()}: that stores a gradient with a graph in the {@code .grad} of every leaf
 * the critic reads. For the input {@code x} this is a reference cycle ({@code x → x.grad → its
 * graph → x}'s AccumulateGrad node {@code → x}) that nothing in DJL can break, since DJL cannot
 * reset a {@code .grad} to undefined ({@code zeroGrad} zeroes it in place and keeps its graph): a
 * fresh {@code x} per step leaked about 1 MB per step (batch 64 of 28×28, a small conv critic),
 * however the parameters were handled. (Parameters have the same cycle, plus a chain: each
 * create-graph backward adds the old, zeroed-but-still-graphed {@code .grad} into the new one.) {@code autograd.grad} returns the gradient instead of accumulating
 * it, so no {@code .grad} (input or parameter) is touched and nothing outlives the graph the
 * caller frees with its ordinary backward pass.
 *
 * <p>The module is stateless and holds no tensors; running it from several threads at once is
 * safe (TorchScript methods are). It lives in its own never-closed manager for the life of the
 * JVM (a few kilobytes).
 */
final class GradientScript {

  /** Serialized TorchScript, as {@code torch.jit.save} writes it for this module. */
  private static final String SOURCE = String.join("\n",
      "class GradientOfSum(Module):",
      "  __parameters__ = []",
      "  __buffers__ = []",
      "  training : bool",
      "  def forward(self: __torch__.GradientOfSum,",
      "    outputs: Tensor,",
      "    inputs: Tensor) -> Tensor:",
      "    _0 = torch.autograd.grad([torch.sum(outputs)], [inputs], None, True, True)",
      "    return unchecked_cast(Tensor, _0[0])",
      "");

  private GradientScript() {}

  /**
   * d(Σ outputs)/d(inputs), as a tensor whose graph reaches everything {@code outputs} was
   * computed from (the critic's parameters, {@code inputs}). Keeps {@code outputs}' graph (a
   * later backward pass through the critic loss still works) and accumulates into no
   * {@code .grad}. The result lives in {@code outputs}' manager.
   *
   * @throws IllegalArgumentException if {@code inputs} does not require a gradient, or
   *     {@code outputs} has no graph (computed with gradient recording off, or detached) or does
   *     not depend on {@code inputs}
   */
  static NDArray gradientOfSum(NDArray outputs, NDArray inputs) {
    if (!(outputs instanceof PtNDArray out) || !(inputs instanceof PtNDArray in)) {
      throw new IllegalArgumentException("the gradient penalty needs PyTorch engine arrays");
    }
    // IValueUtils reads structure (dicts, lists, method names) from array names, so pass only
    // unnamed arrays: a fresh sum, and the inputs with their name cleared for the call.
    String name = in.getName();
    in.setName(null);
    try {
      return IValueUtils.forward(Holder.MODULE, new NDList(out.sum(), in), true)
          .singletonOrThrow();
    } catch (EngineException e) {
      // DJL cannot ask whether a non-leaf array has a graph (JniUtils.requiresGrad answers
      // "has a readable .grad"), so the checks are PyTorch's own.
      throw new IllegalArgumentException("cannot differentiate the critic's output with respect"
          + " to its input: it has no graph (gradient recording off, or detached), or does not"
          + " use the input, or the input does not require a gradient. PyTorch: "
          + lastLine(e.getMessage()), e);
    } finally {
      in.setName(name);
    }
  }

  private static String lastLine(String message) {
    if (message == null) {
      return "(no message)";
    }
    String[] lines = message.strip().split("\\R");
    return lines[lines.length - 1].strip();
  }

  /** Loads the module on first use (class initialisation is thread-safe). */
  private static final class Holder {
    static final PtSymbolBlock MODULE = load();

    private static PtSymbolBlock load() {
      Engine.getEngine("PyTorch");
      NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch");
      try (InputStream in = new ByteArrayInputStream(archive())) {
        return JniUtils.loadModule((PtNDManager) manager, in, true, false);
      } catch (IOException e) {
        manager.close();
        throw new UncheckedIOException(e);
      } catch (RuntimeException e) {
        manager.close();
        throw e;
      }
    }
  }

  /**
   * The TorchScript archive (zip) {@code torch.jit.load} reads: the class source under
   * {@code code/}, the module object pickled in {@code data.pkl} (protocol 2: an instance of
   * {@code __torch__.GradientOfSum} with {@code training = True}), an empty constants table and
   * format version 3.
   */
  static byte[] archive() {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    data.writeBytes(new byte[] {(byte) 0x80, 2}); // PROTO 2
    data.writeBytes(ascii("c__torch__\nGradientOfSum\n")); // GLOBAL module.class
    data.writeBytes(new byte[] {'q', 0, ')', (byte) 0x81}); // BINPUT 0, EMPTY_TUPLE, NEWOBJ
    data.writeBytes(new byte[] {'}', '(', 'X', 8, 0, 0, 0}); // EMPTY_DICT, MARK, BINUNICODE(8)
    data.writeBytes(ascii("training"));
    // BINPUT 1, NEWTRUE, SETITEMS, BUILD, BINPUT 2, STOP
    data.writeBytes(new byte[] {'q', 1, (byte) 0x88, 'u', 'b', 'q', 2, '.'});

    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      stored(out, "gradient/data.pkl", data.toByteArray());
      stored(out, "gradient/code/__torch__.py", SOURCE.getBytes(StandardCharsets.UTF_8));
      stored(out, "gradient/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      stored(out, "gradient/version", ascii("3\n"));
      stored(out, "gradient/byteorder", ascii("little"));
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: does not happen
    }
    return zip.toByteArray();
  }

  private static void stored(ZipOutputStream out, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    entry.setCompressedSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    out.putNextEntry(entry);
    out.write(bytes);
    out.closeEntry();
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
