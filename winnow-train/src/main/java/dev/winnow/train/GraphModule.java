package dev.winnow.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.winnow.onnx.TrainableGraph;
import dev.winnow.onnx.TrainableGraph.Op;
import dev.winnow.onnx.TrainableGraph.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX encoder graph run op by op on libtorch (through DJL), with its float weights as trainable
 * parameters: the training engine. Because it executes the very nodes the exported model holds, the
 * model written back ({@link #weights}) computes what was trained; only dropout, which inference
 * graphs leave out, is added, at the places BERT puts it (found on the graph's structure): on the
 * attention probabilities, on each dense projection before its residual add, on the embeddings'
 * normalised output and before the classifier.
 *
 * <p>Integer values (shapes, positions) are small and computed in Java; float values stay in
 * libtorch. Not thread-safe: one training loop drives one module.
 */
final class GraphModule implements AutoCloseable {

  /** BERT's dropout probabilities: hidden states and classifier, attention probabilities. */
  record Dropout(float hidden, float attention) {
    static final Dropout NONE = new Dropout(0, 0);
  }

  private static final Set<String> SUPPORTED =
      Set.of(
          "Add",
          "Sub",
          "Mul",
          "Div",
          "Pow",
          "Sqrt",
          "Erf",
          "Tanh",
          "Neg",
          "Sigmoid",
          "Relu",
          "MatMul",
          "Gemm",
          "Gather",
          "Softmax",
          "ReduceMean",
          "Reshape",
          "Transpose",
          "Unsqueeze",
          "Squeeze",
          "Concat",
          "Slice",
          "Cast",
          "Constant",
          "Identity",
          "Shape",
          "Equal",
          "Where",
          "Expand",
          "ConstantOfShape",
          "LayerNormalization");

  private final NDManager manager;
  private final List<Op> ops;
  private final int opset;
  private final List<String> inputs;
  private final String output;
  private final Map<String, NDArray> parameters = new LinkedHashMap<>();
  private final Map<String, long[]> parameterDims = new LinkedHashMap<>();
  private final Map<String, Tensor> constants = new HashMap<>();
  private final Map<String, Float> dropoutAt = new HashMap<>();

  private GraphModule(
      NDManager manager, List<Op> ops, int opset, List<String> inputs, String output) {
    this.manager = manager;
    this.ops = ops;
    this.opset = opset;
    this.inputs = inputs;
    this.output = output;
  }

  /**
   * Builds the module over {@code graph}'s ops plus {@code head} (appended nodes) and {@code
   * headWeights}, computing {@code output}.
   */
  static GraphModule of(
      TrainableGraph graph,
      List<Op> head,
      Map<String, Tensor> headWeights,
      String output,
      Dropout dropout,
      NDManager manager) {
    List<Op> ops = new ArrayList<>(graph.ops());
    ops.addAll(head);
    for (Op op : ops) {
      if (!SUPPORTED.contains(op.opType())
          || !(op.domain().isEmpty() || op.domain().equals("ai.onnx"))) {
        throw new IllegalArgumentException(
            "the training engine cannot run node "
                + op.name()
                + " ("
                + (op.domain().isEmpty() ? "" : op.domain() + ".")
                + op.opType()
                + "); it runs plain BERT-family exports with the ops "
                + String.join(", ", SUPPORTED.stream().sorted().toList()));
      }
    }
    GraphModule m = new GraphModule(manager, ops, graph.opset(), graph.inputs(), output);
    Map<String, Tensor> initializers = new LinkedHashMap<>(graph.initializers());
    initializers.putAll(headWeights);
    for (Tensor t : initializers.values()) {
      if (t.floats() != null && t.dims().length >= 1) {
        m.addParameter(t.name(), t);
      } else {
        m.constants.put(t.name(), t);
      }
    }
    // Identity copies of a weight (an exporter's deduplication) become weights of their own.
    for (Op op : ops) {
      if (op.opType().equals("Identity") && m.parameters.containsKey(op.input(0))) {
        Tensor source = initializers.get(op.input(0));
        m.addParameter(
            op.outputs().get(0),
            Tensor.ofFloats(op.outputs().get(0), source.dims(), source.floats()));
      }
    }
    m.placeDropout(dropout);
    return m;
  }

  private void addParameter(String name, Tensor t) {
    NDArray a = manager.create(t.floats(), new Shape(t.dims()));
    a.setRequiresGradient(true);
    parameters.put(name, a);
    parameterDims.put(name, t.dims());
  }

  /** How many values get dropout in training. */
  int dropoutPoints() {
    return dropoutAt.size();
  }

  /** The trainable weights by name, in a stable order. */
  Map<String, NDArray> parameters() {
    return parameters;
  }

  /** The current weights as tensors, ready for {@link TrainableGraph#write}. */
  Map<String, Tensor> weights() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    parameters.forEach(
        (name, a) ->
            out.put(name, Tensor.ofFloats(name, parameterDims.get(name), a.toFloatArray())));
    return out;
  }

  /**
   * Runs the graph on one padded batch ({@code [batch, length]} int64 arrays, in the graph's input
   * order named by {@code feeds}) and returns the output; intermediate arrays belong to {@code
   * scope}. With {@code training} false it is the exported model's computation exactly.
   */
  NDArray forward(NDManager scope, Map<String, NDArray> feeds, boolean training) {
    Map<String, NDArray> values = new HashMap<>(feeds);
    for (String in : inputs) {
      if (!values.containsKey(in)) {
        throw new IllegalArgumentException("no value fed for graph input " + in);
      }
    }
    values.putAll(parameters);
    for (Op op : ops) {
      if (op.opType().equals("Identity") && parameters.containsKey(op.outputs().get(0))) {
        continue;
      }
      NDArray out = run(op, values, scope);
      if (!isParameter(out)) {
        out.attach(scope);
      }
      String name = op.outputs().get(0);
      Float p = dropoutAt.get(name);
      if (training && p != null && p > 0) {
        out = out.getNDArrayInternal().dropout(out, p, true).get(0);
        out.attach(scope);
      }
      values.put(name, out);
    }
    NDArray result = values.get(output);
    if (result == null) {
      throw new IllegalStateException("the graph computed no value " + output);
    }
    return result;
  }

  private boolean isParameter(NDArray a) {
    for (NDArray p : parameters.values()) {
      if (p == a) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    parameters.values().forEach(NDArray::close);
  }

  // ---- dropout placement ----

  private void placeDropout(Dropout d) {
    Map<String, Op> producers = new HashMap<>();
    Map<String, List<Op>> consumers = new HashMap<>();
    for (Op op : ops) {
      op.outputs().forEach(o -> producers.put(o, op));
      op.inputs().forEach(i -> consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(op));
    }
    for (Op op : ops) {
      if (op.opType().equals("Softmax")) {
        dropoutAt.put(op.outputs().get(0), d.attention());
      }
      if (!startsLayerNorm(op, consumers)) {
        continue;
      }
      boolean residual = false;
      for (String in : op.inputs()) {
        if (isDense(producers.get(in), producers)) {
          dropoutAt.put(in, d.hidden());
          residual = true;
        }
      }
      if (!residual) {
        // The embeddings' normalisation: dropout on its output.
        layerNormOutput(op, consumers).ifPresent(o -> dropoutAt.put(o, d.hidden()));
      }
    }
    for (Op op : ops) {
      if (op.opType().equals("Tanh") && op.outputs().get(0).startsWith(Heads.PREFIX)) {
        dropoutAt.put(op.outputs().get(0), d.hidden());
      }
    }
    keptHeadDropout(producers, d);
  }

  /** A kept classification head: dropout on the input of the projection that makes the output. */
  private void keptHeadDropout(Map<String, Op> producers, Dropout d) {
    Op last = producers.get(output);
    if (last != null && last.opType().equals("Add")) {
      for (String in : last.inputs()) {
        Op p = producers.get(in);
        if (p != null && p.opType().equals("MatMul")) {
          last = p;
        }
      }
    }
    if (last != null && (last.opType().equals("Gemm") || last.opType().equals("MatMul"))) {
      if (!last.input(0).startsWith(Heads.PREFIX)) {
        dropoutAt.put(last.input(0), d.hidden());
      }
    }
  }

  /** An Add whose output a layer normalisation reads (fused, or as ReduceMean and Sub). */
  private static boolean startsLayerNorm(Op op, Map<String, List<Op>> consumers) {
    if (!op.opType().equals("Add")) {
      return false;
    }
    List<Op> readers = consumers.getOrDefault(op.outputs().get(0), List.of());
    boolean mean = readers.stream().anyMatch(r -> r.opType().equals("ReduceMean"));
    boolean sub = readers.stream().anyMatch(r -> r.opType().equals("Sub"));
    return (mean && sub) || readers.stream().anyMatch(r -> r.opType().equals("LayerNormalization"));
  }

  private static java.util.Optional<String> layerNormOutput(
      Op add, Map<String, List<Op>> consumers) {
    String x = add.outputs().get(0);
    for (Op r : consumers.getOrDefault(x, List.of())) {
      if (r.opType().equals("LayerNormalization")) {
        return java.util.Optional.of(r.outputs().get(0));
      }
    }
    // x - mean -> Div -> Mul(gamma) -> Add(beta)
    for (Op sub : consumers.getOrDefault(x, List.of())) {
      if (!sub.opType().equals("Sub")) {
        continue;
      }
      for (Op div : consumers.getOrDefault(sub.outputs().get(0), List.of())) {
        if (!div.opType().equals("Div")) {
          continue;
        }
        for (Op mul : consumers.getOrDefault(div.outputs().get(0), List.of())) {
          for (Op add2 : consumers.getOrDefault(mul.outputs().get(0), List.of())) {
            if (mul.opType().equals("Mul") && add2.opType().equals("Add")) {
              return java.util.Optional.of(add2.outputs().get(0));
            }
          }
        }
      }
    }
    return java.util.Optional.empty();
  }

  /** A dense projection's output: MatMul or Gemm, possibly followed by its bias Add. */
  private static boolean isDense(Op op, Map<String, Op> producers) {
    if (op == null) {
      return false;
    }
    if (op.opType().equals("MatMul") || op.opType().equals("Gemm")) {
      return true;
    }
    if (op.opType().equals("Add")) {
      for (String in : op.inputs()) {
        Op p = producers.get(in);
        if (p != null && p.opType().equals("MatMul")) {
          return true;
        }
      }
    }
    return false;
  }

  // ---- ops ----

  private NDArray run(Op op, Map<String, NDArray> v, NDManager s) {
    return switch (op.opType()) {
      case "Identity" -> in(op, 0, v, s).duplicate();
      case "Constant" ->
          create(s, op.tensorAttribute("value").orElseThrow(() -> bad(op, "no tensor value")));
      case "Add" -> binary(op, v, s);
      case "Sub" -> binary(op, v, s);
      case "Mul" -> binary(op, v, s);
      case "Div" -> binary(op, v, s);
      case "Pow" -> in(op, 0, v, s).pow(in(op, 1, v, s));
      case "Sqrt" -> in(op, 0, v, s).sqrt();
      case "Erf" -> in(op, 0, v, s).erf();
      case "Tanh" -> in(op, 0, v, s).tanh();
      case "Neg" -> in(op, 0, v, s).neg();
      case "Sigmoid" -> in(op, 0, v, s).getNDArrayInternal().sigmoid();
      case "Relu" -> in(op, 0, v, s).maximum(0f);
      case "MatMul" -> in(op, 0, v, s).matMul(in(op, 1, v, s));
      case "Gemm" -> gemm(op, v, s);
      case "Gather" -> gather(op, v, s);
      case "Softmax" -> in(op, 0, v, s).softmax((int) op.intAttribute("axis", opset < 13 ? 1 : -1));
      case "ReduceMean" -> reduceMean(op, v, s);
      case "Reshape" -> reshape(op, v, s);
      case "Transpose" -> transpose(op, v, s);
      case "Unsqueeze" -> unsqueeze(op, v, s);
      case "Squeeze" -> squeeze(op, v, s);
      case "Concat" -> concat(op, v, s);
      case "Slice" -> slice(op, v, s);
      case "Cast" -> cast(op, v, s);
      case "Shape" -> s.create(in(op, 0, v, s).getShape().getShape());
      case "Equal" -> in(op, 0, v, s).eq(in(op, 1, v, s));
      case "Where" -> NDArrays.where(in(op, 0, v, s), in(op, 1, v, s), in(op, 2, v, s));
      case "Expand" -> expand(op, v, s);
      case "ConstantOfShape" -> constantOfShape(op, v, s);
      case "LayerNormalization" -> layerNorm(op, v, s);
      default -> throw bad(op, "unsupported");
    };
  }

  private NDArray in(Op op, int i, Map<String, NDArray> v, NDManager s) {
    String name = op.input(i);
    NDArray a = v.get(name);
    if (a == null) {
      Tensor c = constants.get(name);
      if (c == null) {
        throw bad(op, "input " + i + " (" + name + ") has no value");
      }
      a = create(s, c);
      v.put(name, a);
    }
    return a;
  }

  private static NDArray create(NDManager s, Tensor t) {
    Shape shape = new Shape(t.dims());
    return t.floats() != null ? s.create(t.floats(), shape) : s.create(t.longs(), shape);
  }

  private static long[] longs(NDArray a) {
    return a.getDataType() == DataType.INT64
        ? a.toLongArray()
        : a.toType(DataType.INT64, false).toLongArray();
  }

  private NDArray binary(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray a = in(op, 0, v, s);
    NDArray b = in(op, 1, v, s);
    if (a.getDataType().isInteger() && b.getDataType().isInteger()) {
      return integerBinary(op, a, b, s);
    }
    return switch (op.opType()) {
      case "Add" -> a.add(b);
      case "Sub" -> a.sub(b);
      case "Mul" -> a.mul(b);
      default -> a.div(b);
    };
  }

  /** Shape arithmetic: ONNX integer semantics (Div truncates), computed in Java. */
  private static NDArray integerBinary(Op op, NDArray a, NDArray b, NDManager s) {
    long[] x = longs(a);
    long[] y = longs(b);
    Shape shape = x.length >= y.length ? a.getShape() : b.getShape();
    int n = Math.max(x.length, y.length);
    if (!(x.length == y.length || x.length == 1 || y.length == 1)) {
      throw bad(op, "integer broadcast of " + a.getShape() + " and " + b.getShape());
    }
    long[] r = new long[n];
    for (int i = 0; i < n; i++) {
      long p = x[x.length == 1 ? 0 : i];
      long q = y[y.length == 1 ? 0 : i];
      r[i] =
          switch (op.opType()) {
            case "Add" -> p + q;
            case "Sub" -> p - q;
            case "Mul" -> p * q;
            default -> p / q;
          };
    }
    return s.create(r, shape);
  }

  private NDArray gemm(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray a = in(op, 0, v, s);
    NDArray b = in(op, 1, v, s);
    if (op.intAttribute("transA", 0) != 0) {
      a = a.transpose();
    }
    if (op.intAttribute("transB", 0) != 0) {
      b = b.transpose();
    }
    NDArray y = a.matMul(b);
    float alpha = op.floatAttribute("alpha", 1f);
    if (alpha != 1f) {
      y = y.mul(alpha);
    }
    if (!op.input(2).isEmpty()) {
      NDArray c = in(op, 2, v, s);
      float beta = op.floatAttribute("beta", 1f);
      y = y.add(beta == 1f ? c : c.mul(beta));
    }
    return y;
  }

  private NDArray gather(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray data = in(op, 0, v, s);
    NDArray indices = in(op, 1, v, s);
    int rank = data.getShape().dimension();
    int axis = (int) op.intAttribute("axis", 0);
    if (axis < 0) {
      axis += rank;
    }
    if (data.getDataType().isInteger()) {
      // shapes: a 1-D vector indexed by scalars or vectors
      if (rank != 1) {
        throw bad(op, "integer Gather on rank " + rank);
      }
      long[] d = longs(data);
      long[] idx = longs(indices);
      long[] r = new long[idx.length];
      for (int i = 0; i < idx.length; i++) {
        r[i] = d[(int) (idx[i] < 0 ? idx[i] + d.length : idx[i])];
      }
      return s.create(r, indices.getShape());
    }
    if (indices.getShape().dimension() == 0) {
      long i = longs(indices)[0];
      NDIndex index = new NDIndex();
      for (int k = 0; k < axis; k++) {
        index.addAllDim();
      }
      index.addIndices(i < 0 ? i + data.getShape().get(axis) : i);
      return data.get(index);
    }
    if (axis == 0 && rank == 2) {
      NDArray ids =
          indices.getDataType() == DataType.INT64 ? indices : indices.toType(DataType.INT64, false);
      return JniUtils.embedding((PtNDArray) ids, (PtNDArray) data, false);
    }
    throw bad(
        op, "Gather on axis " + axis + " of rank " + rank + " with indices " + indices.getShape());
  }

  private int[] axes(Op op, Map<String, NDArray> v, NDManager s, int inputIndex, int rank) {
    long[] axes;
    if (!op.input(inputIndex).isEmpty()) {
      axes = longs(in(op, inputIndex, v, s));
    } else {
      axes = op.intsAttribute("axes").orElse(null);
    }
    if (axes == null) {
      return null;
    }
    int[] out = new int[axes.length];
    for (int i = 0; i < axes.length; i++) {
      out[i] = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
    }
    return out;
  }

  private NDArray reduceMean(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    int rank = x.getShape().dimension();
    int[] axes = axes(op, v, s, 1, rank);
    if (axes == null) {
      axes = new int[rank];
      for (int i = 0; i < rank; i++) {
        axes[i] = i;
      }
    }
    return x.mean(axes, op.intAttribute("keepdims", 1) != 0);
  }

  private NDArray reshape(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    long[] target = longs(in(op, 1, v, s)).clone();
    for (int i = 0; i < target.length; i++) {
      if (target[i] == 0 && op.intAttribute("allowzero", 0) == 0) {
        target[i] = x.getShape().get(i);
      }
    }
    return x.reshape(new Shape(target));
  }

  private NDArray transpose(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    int rank = x.getShape().dimension();
    int[] perm =
        op.intsAttribute("perm")
            .map(p -> Arrays.stream(p).mapToInt(l -> (int) l).toArray())
            .orElseGet(
                () -> {
                  int[] r = new int[rank];
                  for (int i = 0; i < rank; i++) {
                    r[i] = rank - 1 - i;
                  }
                  return r;
                });
    return x.transpose(perm);
  }

  private NDArray unsqueeze(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    long[] raw = opset >= 13 ? longs(in(op, 1, v, s)) : op.intsAttribute("axes").orElseThrow();
    int rank = x.getShape().dimension() + raw.length;
    int[] axes = new int[raw.length];
    for (int i = 0; i < raw.length; i++) {
      axes[i] = (int) (raw[i] < 0 ? raw[i] + rank : raw[i]);
    }
    Arrays.sort(axes);
    if (x.getDataType().isInteger()) {
      long[] shape = x.getShape().getShape();
      List<Long> dims = new ArrayList<>();
      for (long d : shape) {
        dims.add(d);
      }
      for (int a : axes) {
        dims.add(a, 1L);
      }
      return s.create(longs(x), new Shape(dims.stream().mapToLong(Long::longValue).toArray()));
    }
    NDArray y = x;
    for (int a : axes) {
      y = y.expandDims(a);
    }
    return y;
  }

  private NDArray squeeze(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    int[] axes = axes(op, v, s, 1, x.getShape().dimension());
    return axes == null ? x.squeeze() : x.squeeze(axes);
  }

  private NDArray concat(Op op, Map<String, NDArray> v, NDManager s) {
    NDList parts = new NDList();
    for (int i = 0; i < op.inputs().size(); i++) {
      parts.add(in(op, i, v, s));
    }
    int axis = (int) op.intAttribute("axis", 0);
    if (parts.stream()
        .allMatch(p -> p.getDataType().isInteger() && p.getShape().dimension() == 1)) {
      List<Long> all = new ArrayList<>();
      parts.forEach(p -> Arrays.stream(longs(p)).forEach(all::add));
      return s.create(all.stream().mapToLong(Long::longValue).toArray());
    }
    return NDArrays.concat(parts, axis);
  }

  private NDArray slice(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    long[] starts = longs(in(op, 1, v, s));
    long[] ends = longs(in(op, 2, v, s));
    int rank = x.getShape().dimension();
    long[] axes = op.input(3).isEmpty() ? null : longs(in(op, 3, v, s));
    long[] steps = op.input(4).isEmpty() ? null : longs(in(op, 4, v, s));
    long[][] ranges = new long[rank][];
    for (int i = 0; i < starts.length; i++) {
      int axis = (int) (axes == null ? i : (axes[i] < 0 ? axes[i] + rank : axes[i]));
      long dim = x.getShape().get(axis);
      long step = steps == null ? 1 : steps[i];
      if (step != 1) {
        throw bad(op, "Slice with step " + step);
      }
      long b = clamp(starts[i] < 0 ? starts[i] + dim : starts[i], dim);
      long e = clamp(ends[i] < 0 ? ends[i] + dim : ends[i], dim);
      ranges[axis] = new long[] {b, Math.max(b, e)};
    }
    NDIndex index = new NDIndex();
    for (int a = 0; a < rank; a++) {
      if (ranges[a] == null) {
        index.addAllDim();
      } else {
        index.addSliceDim(ranges[a][0], ranges[a][1]);
      }
    }
    return x.get(index);
  }

  private static long clamp(long i, long dim) {
    return Math.max(0, Math.min(i, dim));
  }

  private NDArray cast(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    int to = (int) op.intAttribute("to", 1);
    DataType type =
        switch (to) {
          case 1 -> DataType.FLOAT32;
          case 6 -> DataType.INT32;
          case 7 -> DataType.INT64;
          case 9 -> DataType.BOOLEAN;
          case 11 -> DataType.FLOAT64;
          default -> throw bad(op, "Cast to type " + to);
        };
    return x.toType(type, true);
  }

  private NDArray expand(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    long[] target = longs(in(op, 1, v, s));
    long[] shape = x.getShape().getShape();
    int rank = Math.max(shape.length, target.length);
    long[] out = new long[rank];
    for (int i = 0; i < rank; i++) {
      long a = i - (rank - shape.length) >= 0 ? shape[i - (rank - shape.length)] : 1;
      long b = i - (rank - target.length) >= 0 ? target[i - (rank - target.length)] : 1;
      out[i] = Math.max(a, b);
    }
    return x.broadcast(new Shape(out));
  }

  private NDArray constantOfShape(Op op, Map<String, NDArray> v, NDManager s) {
    long[] shape = longs(in(op, 0, v, s));
    Tensor value =
        op.tensorAttribute("value").orElse(Tensor.ofFloats("", new long[] {1}, new float[] {0}));
    return value.floats() != null
        ? s.full(new Shape(shape), value.floats()[0])
        : s.full(new Shape(shape), (int) value.longs()[0]).toType(DataType.INT64, false);
  }

  private NDArray layerNorm(Op op, Map<String, NDArray> v, NDManager s) {
    NDArray x = in(op, 0, v, s);
    NDArray gamma = in(op, 1, v, s);
    NDArray beta = op.input(2).isEmpty() ? null : in(op, 2, v, s);
    float eps = op.floatAttribute("epsilon", 1e-5f);
    return x.getNDArrayInternal().layerNorm(x, gamma.getShape(), gamma, beta, eps).get(0);
  }

  private static IllegalArgumentException bad(Op op, String what) {
    return new IllegalArgumentException(
        "the training engine cannot run node " + op.name() + " (" + op.opType() + "): " + what);
  }
}
