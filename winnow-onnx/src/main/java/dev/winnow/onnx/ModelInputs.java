package dev.winnow.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The token inputs of a BERT-style ONNX graph, checked at load: {@code input_ids} and {@code
 * attention_mask} (int64, rank 2) are required, {@code token_type_ids} is fed only when the graph
 * has it, and no other input is allowed. Builds right-padded input tensors from direct buffers.
 */
final class ModelInputs {

  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";

  private final boolean tokenTypes;

  private ModelInputs(boolean tokenTypes) {
    this.tokenTypes = tokenTypes;
  }

  /** Checks the session's inputs; the error names the file and lists what the model has. */
  static ModelInputs validate(OrtSession session, String file) {
    Map<String, NodeInfo> inputs;
    try {
      inputs = session.getInputInfo();
    } catch (OrtException e) {
      throw new OnnxModelException(file, "cannot read the model's inputs: " + e.getMessage(), e);
    }
    Set<String> known = Set.of(INPUT_IDS, ATTENTION_MASK, TOKEN_TYPE_IDS);
    for (String required : List.of(INPUT_IDS, ATTENTION_MASK)) {
      if (!inputs.containsKey(required)) {
        throw mismatch(session, file, "it has no input '" + required + "'");
      }
    }
    for (Map.Entry<String, NodeInfo> e : inputs.entrySet()) {
      if (!known.contains(e.getKey())) {
        throw mismatch(
            session,
            file,
            "input '" + e.getKey() + "' is not one Winnow can feed (" + known + " only)");
      }
      if (!(e.getValue().getInfo() instanceof TensorInfo t)
          || t.type != OnnxJavaType.INT64
          || t.getShape().length != 2) {
        throw mismatch(
            session,
            file,
            "input '" + e.getKey() + "' must be an int64 tensor of rank 2 [batch, sequence]");
      }
    }
    return new ModelInputs(inputs.containsKey(TOKEN_TYPE_IDS));
  }

  boolean feedsTokenTypes() {
    return tokenTypes;
  }

  /** Describes the model's inputs and outputs, for error messages. */
  static String describe(OrtSession session) {
    try {
      return "inputs "
          + describe(session.getInputInfo())
          + ", outputs "
          + describe(session.getOutputInfo());
    } catch (OrtException e) {
      return "(inputs/outputs unreadable: " + e.getMessage() + ")";
    }
  }

  private static String describe(Map<String, NodeInfo> nodes) {
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, NodeInfo> e : nodes.entrySet()) {
      if (e.getValue().getInfo() instanceof TensorInfo t) {
        out.add(e.getKey() + " " + t.type + Arrays.toString(t.getShape()));
      } else {
        out.add(e.getKey() + " " + e.getValue().getInfo());
      }
    }
    return out.toString();
  }

  static OnnxModelException mismatch(OrtSession session, String file, String why) {
    return new OnnxModelException(
        file, "unexpected model signature: " + why + "; the model has " + describe(session), null);
  }

  /**
   * The input tensors of one batch: rows right-padded with id 0, mask 0 and type 0 to the longest
   * row. Close the returned {@link Tensors} after the run.
   */
  Tensors tensors(OrtEnvironment env, List<PairEncoding> rows) throws OrtException {
    int[] attended = new int[rows.size()];
    for (int i = 0; i < attended.length; i++) {
      attended[i] = rows.get(i).length();
    }
    return tensors(env, rows, attended);
  }

  /**
   * As {@link #tensors(OrtEnvironment, List)}, with mask 1 on only the first {@code attended[i]}
   * tokens of row {@code i} (a ColBERT query's {@code [MASK]} padding is fed but not attended to).
   * Ones then zeros, so the fused graph's key-length form of the mask holds.
   */
  Tensors tensors(OrtEnvironment env, List<PairEncoding> rows, int[] attended) throws OrtException {
    int width = 0;
    for (PairEncoding r : rows) {
      width = Math.max(width, r.length());
    }
    int n = rows.size() * width;
    LongBuffer ids = direct(n);
    LongBuffer mask = direct(n);
    LongBuffer types = tokenTypes ? direct(n) : null;
    for (int i = 0; i < rows.size(); i++) {
      PairEncoding r = rows.get(i);
      int len = r.length();
      ids.put(r.inputIds());
      for (int k = 0; k < len; k++) {
        mask.put(k < attended[i] ? 1L : 0L);
      }
      if (types != null) {
        types.put(r.tokenTypeIds());
      }
      for (int k = len; k < width; k++) {
        ids.put(0L);
        mask.put(0L);
        if (types != null) {
          types.put(0L);
        }
      }
    }
    long[] shape = {rows.size(), width};
    Tensors t = new Tensors(width);
    try {
      t.add(INPUT_IDS, OnnxTensor.createTensor(env, ids.flip(), shape));
      t.add(ATTENTION_MASK, OnnxTensor.createTensor(env, mask.flip(), shape));
      if (types != null) {
        t.add(TOKEN_TYPE_IDS, OnnxTensor.createTensor(env, types.flip(), shape));
      }
    } catch (OrtException | RuntimeException e) {
      t.close();
      throw e;
    }
    return t;
  }

  private static LongBuffer direct(int n) {
    return ByteBuffer.allocateDirect(Math.multiplyExact(n, Long.BYTES))
        .order(ByteOrder.nativeOrder())
        .asLongBuffer();
  }

  /** The named input tensors of one run, closed together. */
  static final class Tensors implements AutoCloseable {
    private final Map<String, OnnxTensor> byName = new HashMap<>();
    private final int width;

    private Tensors(int width) {
      this.width = width;
    }

    private void add(String name, OnnxTensor tensor) {
      byName.put(name, tensor);
    }

    Map<String, OnnxTensor> byName() {
      return byName;
    }

    /** The padded sequence length. */
    int width() {
      return width;
    }

    /**
     * The token-level output {@code name} of a run on these tensors, checked to be a tensor of
     * shape {@code [rows, width, hidden]}; the errors name {@code file}.
     */
    OnnxTensor tokenOutput(OrtSession.Result result, String name, String file, int rows) {
      OnnxValue value =
          result
              .get(name)
              .orElseThrow(() -> new IllegalStateException(file + " returned no " + name));
      if (!(value instanceof OnnxTensor tensor)) {
        throw new IllegalStateException(file + ": output " + name + " is not a tensor");
      }
      long[] shape = tensor.getInfo().getShape();
      if (shape.length != 3 || shape[0] != rows || shape[1] != width) {
        throw new IllegalStateException(
            file
                + ": output "
                + name
                + " has shape "
                + Arrays.toString(shape)
                + ", expected ["
                + rows
                + ", "
                + width
                + ", hidden]");
      }
      return tensor;
    }

    @Override
    public void close() {
      for (OnnxTensor t : byName.values()) {
        t.close();
      }
    }
  }
}
