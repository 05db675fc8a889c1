package dev.winnow.onnx;

import dev.winnow.onnx.OnnxGraph.Node;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Rewrites a BERT-style encoder graph, as ONNX Runtime leaves it after its own basic and extended
 * optimisations, into ONNX Runtime's fused transformer kernels, which its in-session optimiser does
 * not apply when the sequence length is dynamic:
 *
 * <ul>
 *   <li><b>SkipLayerNormalization</b>: {@code LayerNormalization(Add(Add(MatMul(x), bias),
 *       residual))} becomes one kernel (the bias add, the residual add and the normalisation in one
 *       pass over the activations);
 *   <li><b>MultiHeadAttention</b>: the per-head {@code Reshape/Transpose} of query, key and value,
 *       the scaled {@code QK^T}, the additive padding mask, {@code Softmax}, the product with the
 *       values and the {@code Transpose/Reshape} back become one kernel fed by the three
 *       projections (bias included) and each row's number of real tokens; an {@code If} runs it
 *       without the lengths when no row of the batch is padded, since ONNX Runtime takes its faster
 *       flash-attention path only for an unmasked kernel.
 * </ul>
 *
 * Patterns are matched on the graph's structure, never on names, and a match is taken only when
 * every intermediate value has no other reader. The caller must still check the rewritten model's
 * outputs against the original's ({@link OnnxSessions} does, on a padded and an unpadded probe
 * batch): a pattern that looks alike but computes something else is caught there, never served.
 *
 * <p>Stateless and thread-safe.
 */
final class TransformerFusion {

  /** What a rewrite did. */
  record Report(int skipLayerNorms, int attentions) {
    boolean changed() {
      return skipLayerNorms + attentions > 0;
    }

    @Override
    public String toString() {
      return skipLayerNorms + " SkipLayerNormalization, " + attentions + " MultiHeadAttention";
    }
  }

  private static final Set<String> PROJECTIONS =
      Set.of(
          "MatMul",
          "Gemm",
          "FusedMatMul",
          "FusedGemm",
          "MatMulIntegerToFloat",
          "DynamicQuantizeMatMul",
          "MatMulNBits");

  /** Ops a padding-mask expression may be built of, from the attention-mask input to the scores. */
  private static final Set<String> MASK_OPS =
      Set.of("Unsqueeze", "Cast", "Sub", "Mul", "Reshape", "Expand", "Not", "Where");

  private TransformerFusion() {}

  static Report apply(OnnxGraph graph, String attentionMaskInput) {
    int attentions = fuseAttention(graph, attentionMaskInput);
    int skips = fuseSkipLayerNorm(graph);
    graph.removeDeadNodes();
    return new Report(skips, attentions);
  }

  // ---- SkipLayerNormalization ----

  private static int fuseSkipLayerNorm(OnnxGraph g) {
    int fused = 0;
    for (Node ln : List.copyOf(g.nodes)) {
      if (!ln.is("LayerNormalization") || ln.inputs.size() < 2 || !singleOutput(ln)) {
        continue;
      }
      if (ln.intAttribute("axis", -1) != -1) {
        continue;
      }
      Map<String, Node> producers = g.producers();
      Map<String, List<Node>> consumers = g.consumers();
      Node add = producers.get(ln.inputs.get(0));
      if (add == null || !add.is("Add") || !onlyReader(g, consumers, add, ln)) {
        continue;
      }
      Optional<String[]> parts = residualParts(g, producers, consumers, add, 0);
      if (parts.isEmpty()) {
        parts = residualParts(g, producers, consumers, add, 1);
      }
      if (parts.isEmpty()) {
        continue;
      }
      String[] p = parts.get(); // input, skip, bias ("" when none)
      List<String> inputs =
          new java.util.ArrayList<>(
              List.of(p[0], p[1], ln.inputs.get(1), ln.inputs.size() > 2 ? ln.inputs.get(2) : ""));
      if (!p[2].isEmpty()) {
        inputs.add(p[2]);
      }
      Node skip =
          new Node(
                  g.freshName("SkipLayerNorm"),
                  "SkipLayerNormalization",
                  OnnxGraph.MS_DOMAIN,
                  inputs,
                  List.of(ln.outputs.get(0)))
              .withFloat("epsilon", ln.floatAttribute("epsilon", 1e-5f));
      g.nodes.set(g.nodes.indexOf(ln), skip);
      g.nodes.remove(add); // the bias add, if folded, is now unread and goes with the dead nodes
      fused++;
    }
    return fused;
  }

  /**
   * Reads {@code add} as {@code projection (+ bias) + residual} with the projection on input {@code
   * side}: {input, skip, bias}.
   */
  private static Optional<String[]> residualParts(
      OnnxGraph g,
      Map<String, Node> producers,
      Map<String, List<Node>> consumers,
      Node add,
      int side) {
    if (add.inputs.size() != 2) {
      return Optional.empty();
    }
    String projected = add.inputs.get(side);
    String residual = add.inputs.get(1 - side);
    Node p = producers.get(projected);
    if (p == null || g.graphOutputs.contains(projected)) {
      return Optional.empty();
    }
    if (isProjection(p)) {
      return Optional.of(new String[] {projected, residual, ""});
    }
    if (p.is("Add") && onlyReader(g, consumers, p, add)) {
      Optional<String[]> biased = biasAdd(g, producers, p);
      if (biased.isPresent()) {
        return Optional.of(new String[] {biased.get()[0], residual, biased.get()[1]});
      }
    }
    return Optional.empty();
  }

  /** {@code Add(projection, bias)} with a 1-D float initializer as bias: {projection, bias}. */
  private static Optional<String[]> biasAdd(OnnxGraph g, Map<String, Node> producers, Node add) {
    if (add.inputs.size() != 2) {
      return Optional.empty();
    }
    for (int side = 0; side < 2; side++) {
      String bias = add.inputs.get(1 - side);
      Node p = producers.get(add.inputs.get(side));
      if (p != null
          && isProjection(p)
          && g.initializer(bias)
              .filter(t -> OnnxGraph.dims(t).size() == 1)
              .filter(t -> OnnxGraph.dataType(t) == OnnxGraph.FLOAT)
              .isPresent()) {
        return Optional.of(new String[] {add.inputs.get(side), bias});
      }
    }
    return Optional.empty();
  }

  private static boolean isProjection(Node n) {
    return PROJECTIONS.contains(n.opType)
        && (n.domain.isEmpty() || n.domain.equals(OnnxGraph.MS_DOMAIN));
  }

  // ---- MultiHeadAttention ----

  private static int fuseAttention(OnnxGraph g, String maskInput) {
    if (!g.graphInputs.contains(maskInput)) {
      return 0;
    }
    KeyMask mask = null;
    int fused = 0;
    for (Node softmax : List.copyOf(g.nodes)) {
      if (!softmax.is("Softmax") || !singleOutput(softmax)) {
        continue;
      }
      long axis = softmax.intAttribute("axis", -1);
      if (axis != -1 && axis != 3) {
        continue;
      }
      Optional<Match> m = matchAttention(g, softmax, maskInput);
      if (m.isEmpty()) {
        continue;
      }
      Match a = m.get();
      if (mask == null) {
        mask = keyMask(g, maskInput);
      }
      List<String> qkv = List.of(a.query, a.key, a.value);
      String bias = packedBias(g, qkv).orElse("");
      if (!bias.isEmpty()) {
        Map<String, Node> producers = g.producers();
        qkv =
            qkv.stream()
                .map(v -> producers.get(v).inputs.get(biasSide(g, producers.get(v))))
                .toList();
      }
      String unmaskedOut = g.freshName("attention_unpadded");
      String maskedOut = g.freshName("attention_padded");
      Node unmasked =
          attention(g, a, List.of(qkv.get(0), qkv.get(1), qkv.get(2), bias), unmaskedOut);
      Node masked =
          attention(
              g, a, List.of(qkv.get(0), qkv.get(1), qkv.get(2), bias, mask.lengths), maskedOut);
      Node choice =
          new Node(g.freshName("If"), "If", "", List.of(mask.unpadded), List.of(a.output))
              .withGraph(
                  "then_branch",
                  OnnxGraph.subgraph(
                      g.freshName("unpadded"), List.of(unmasked), List.of(unmaskedOut)))
              .withGraph(
                  "else_branch",
                  OnnxGraph.subgraph(g.freshName("padded"), List.of(masked), List.of(maskedOut)));
      g.nodes.set(g.nodes.indexOf(a.last), choice);
      fused++;
    }
    return fused;
  }

  /**
   * When query, key and value are each {@code Add(projection, bias)} read only by the attention
   * block, their biases packed into one initializer {@code [q | k | v]} for the kernel to add.
   */
  private static Optional<String> packedBias(OnnxGraph g, List<String> qkv) {
    Map<String, Node> producers = g.producers();
    Map<String, List<Node>> consumers = g.consumers();
    float[][] parts = new float[3][];
    for (int i = 0; i < 3; i++) {
      Node add = producers.get(qkv.get(i));
      if (add == null
          || !add.is("Add")
          || consumers.getOrDefault(qkv.get(i), List.of()).size() != 1
          || g.graphOutputs.contains(qkv.get(i))
          || biasAdd(g, producers, add).isEmpty()) {
        return Optional.empty();
      }
      parts[i] = OnnxGraph.floats(g.initializer(biasAdd(g, producers, add).get()[1]).orElseThrow());
    }
    if (parts[0].length != parts[1].length || parts[1].length != parts[2].length) {
      return Optional.empty();
    }
    int h = parts[0].length;
    float[] packed = new float[3 * h];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(parts[i], 0, packed, i * h, h);
    }
    String name = g.freshName("qkv_bias");
    g.addFloats(name, new long[] {3L * h}, packed);
    return Optional.of(name);
  }

  /** Which input of a bias {@code Add} is the projection (the other is the bias). */
  private static int biasSide(OnnxGraph g, Node add) {
    return g.initializers.containsKey(add.inputs.get(1)) ? 0 : 1;
  }

  private static Node attention(OnnxGraph g, Match a, List<String> inputs, String output) {
    return new Node(
            g.freshName("MultiHeadAttention"),
            "MultiHeadAttention",
            OnnxGraph.MS_DOMAIN,
            inputs,
            List.of(output))
        .withInt("num_heads", a.heads)
        .withFloat("scale", a.scale);
  }

  /**
   * The padding mask in the two forms the attention kernel runs fastest with.
   *
   * @param lengths the number of real tokens of each row, {@code int32[batch]}: the kernel's
   *     key-length form of the padding mask, 5-9% faster than the {@code [batch, sequence]} form.
   *     It holds for right-padded rows (ones, then zeros), which is how {@link ModelInputs} builds
   *     every batch; the probe batch at load is padded the same way.
   * @param unpadded a boolean scalar, true when every row fills the sequence: then the kernel is
   *     run with no mask at all, which lets ONNX Runtime take its flash-attention path (4-14%
   *     faster for the whole model; it refuses any mask). The batch plan makes most batches so.
   */
  private record KeyMask(String lengths, String unpadded) {}

  private static KeyMask keyMask(OnnxGraph g, String maskInput) {
    String lengths64 = g.freshName("key_lengths_int64");
    String lengths = g.freshName("key_lengths");
    Node sum =
        new Node(g.freshName("ReduceSum"), "ReduceSum", "", List.of(maskInput), List.of(lengths64))
            .withInt("keepdims", 0);
    if (g.opsetVersion("") >= 13) {
      String axes = g.freshName("axis_1");
      g.addLongs(axes, new long[] {1}, new long[] {1});
      sum.inputs.add(axes);
    } else {
      sum.withInts("axes", 1);
    }
    Node cast =
        new Node(g.freshName("Cast"), "Cast", "", List.of(lengths64), List.of(lengths))
            .withInt("to", OnnxGraph.INT32);
    String shape = g.freshName("mask_shape");
    String index = g.freshName("index_1");
    g.addLongs(index, new long[0], new long[] {1});
    String sequence = g.freshName("sequence_length");
    String shortest = g.freshName("shortest_row");
    String unpadded = g.freshName("unpadded");
    List<Node> added =
        List.of(
            sum,
            cast,
            new Node(g.freshName("Shape"), "Shape", "", List.of(maskInput), List.of(shape)),
            new Node(g.freshName("Gather"), "Gather", "", List.of(shape, index), List.of(sequence))
                .withInt("axis", 0),
            new Node(
                    g.freshName("ReduceMin"),
                    "ReduceMin",
                    "",
                    List.of(lengths64),
                    List.of(shortest))
                .withInt("keepdims", 0),
            new Node(
                g.freshName("Equal"), "Equal", "", List.of(shortest, sequence), List.of(unpadded)));
    g.nodes.addAll(0, added);
    return new KeyMask(lengths, unpadded);
  }

  /** A matched attention block: its three [B, S, hidden] inputs and its output. */
  private record Match(
      String query, String key, String value, String output, long heads, float scale, Node last) {}

  private static Optional<Match> matchAttention(OnnxGraph g, Node softmax, String maskInput) {
    Map<String, Node> producers = g.producers();
    Map<String, List<Node>> consumers = g.consumers();
    // scores + mask -> Softmax
    Node maskAdd = producers.get(softmax.inputs.get(0));
    if (maskAdd == null || !maskAdd.is("Add") || !onlyReader(g, consumers, maskAdd, softmax)) {
      return Optional.empty();
    }
    Node scores = null;
    String mask = null;
    for (int side = 0; side < 2; side++) {
      Node p = producers.get(maskAdd.inputs.get(side));
      if (p != null
          && (p.isMs("FusedMatMul") || p.is("MatMul"))
          && onlyReader(g, consumers, p, maskAdd)) {
        scores = p;
        mask = maskAdd.inputs.get(1 - side);
      }
    }
    if (scores == null || !isPaddingMask(g, producers, mask, maskInput)) {
      return Optional.empty();
    }
    float scale = 1f;
    if (scores.isMs("FusedMatMul")) {
      if (scores.intAttribute("transA", 0) != 0
          || scores.intAttribute("transBatchA", 0) != 0
          || scores.intAttribute("transBatchB", 0) != 0) {
        return Optional.empty();
      }
      scale = scores.floatAttribute("alpha", 1f);
    }
    boolean keyTransposedByMatMul = scores.intAttribute("transB", 0) == 1;
    Optional<Heads> q = heads(g, producers, consumers, scores.inputs.get(0), scores, 0, 2, 1, 3);
    Optional<Heads> k =
        keyTransposedByMatMul
            ? heads(g, producers, consumers, scores.inputs.get(1), scores, 0, 2, 1, 3)
            : heads(g, producers, consumers, scores.inputs.get(1), scores, 0, 2, 3, 1);
    // Softmax -> MatMul(probs, V) -> Transpose(0,2,1,3) -> Reshape
    List<Node> probsReaders = consumers.getOrDefault(softmax.outputs.get(0), List.of());
    if (q.isEmpty() || k.isEmpty() || probsReaders.size() != 1) {
      return Optional.empty();
    }
    Node context = probsReaders.get(0);
    if (!context.is("MatMul") || !context.inputs.get(0).equals(softmax.outputs.get(0))) {
      return Optional.empty();
    }
    Optional<Heads> v = heads(g, producers, consumers, context.inputs.get(1), context, 0, 2, 1, 3);
    List<Node> contextReaders = consumers.getOrDefault(context.outputs.get(0), List.of());
    if (v.isEmpty() || contextReaders.size() != 1) {
      return Optional.empty();
    }
    Node back = contextReaders.get(0);
    if (!back.is("Transpose") || !back.intsAttribute("perm").equals(List.of(0L, 2L, 1L, 3L))) {
      return Optional.empty();
    }
    List<Node> backReaders = consumers.getOrDefault(back.outputs.get(0), List.of());
    if (backReaders.size() != 1 || !backReaders.get(0).is("Reshape")) {
      return Optional.empty();
    }
    Node merge = backReaders.get(0);
    long heads = q.get().heads;
    if (k.get().heads != heads || v.get().heads != heads) {
      return Optional.empty();
    }
    if (g.graphOutputs.contains(context.outputs.get(0))
        || g.graphOutputs.contains(back.outputs.get(0))) {
      return Optional.empty();
    }
    return Optional.of(
        new Match(
            q.get().input,
            k.get().input,
            v.get().input,
            merge.outputs.get(0),
            heads,
            scale,
            merge));
  }

  private record Heads(String input, long heads) {}

  /**
   * {@code value} read as {@code Transpose(perm)(Reshape(x, [_, _, heads, size]))} with no other
   * reader than {@code reader}: x and the number of heads.
   */
  private static Optional<Heads> heads(
      OnnxGraph g,
      Map<String, Node> producers,
      Map<String, List<Node>> consumers,
      String value,
      Node reader,
      long... perm) {
    Node transpose = producers.get(value);
    if (transpose == null
        || !transpose.is("Transpose")
        || !onlyReader(g, consumers, transpose, reader)) {
      return Optional.empty();
    }
    List<Long> expected = new java.util.ArrayList<>();
    for (long p : perm) {
      expected.add(p);
    }
    if (!transpose.intsAttribute("perm").equals(expected)) {
      return Optional.empty();
    }
    Node reshape = producers.get(transpose.inputs.get(0));
    if (reshape == null
        || !reshape.is("Reshape")
        || !onlyReader(g, consumers, reshape, transpose)) {
      return Optional.empty();
    }
    Optional<ProtoMessage> shape = g.initializer(reshape.inputs.get(1));
    if (shape.isEmpty() || OnnxGraph.dataType(shape.get()) != OnnxGraph.INT64) {
      return Optional.empty();
    }
    long[] s = OnnxGraph.longs(shape.get());
    if (s.length != 4 || s[2] <= 0 || s[3] <= 0) {
      return Optional.empty();
    }
    return Optional.of(new Heads(reshape.inputs.get(0), s[2]));
  }

  /**
   * Whether {@code mask} is computed from the attention-mask graph input alone, through the kind of
   * ops that turn a 0/1 mask into an additive one (the probe check confirms the arithmetic).
   */
  private static boolean isPaddingMask(
      OnnxGraph g, Map<String, Node> producers, String mask, String maskInput) {
    Deque<String> todo = new ArrayDeque<>(List.of(mask));
    Set<String> seen = new HashSet<>();
    boolean reachesInput = false;
    while (!todo.isEmpty()) {
      String v = todo.pop();
      if (!seen.add(v) || v.isEmpty() || g.initializers.containsKey(v)) {
        continue;
      }
      if (v.equals(maskInput)) {
        reachesInput = true;
        continue;
      }
      Node p = producers.get(v);
      if (p == null) {
        return false; // another graph input
      }
      if (p.is("Constant")) {
        continue;
      }
      if (!MASK_OPS.contains(p.opType) || !(p.domain.isEmpty() || p.domain.equals("ai.onnx"))) {
        return false;
      }
      todo.addAll(p.inputs);
    }
    return reachesInput;
  }

  private static boolean singleOutput(Node n) {
    return n.outputs.stream().filter(o -> !o.isEmpty()).count() == 1;
  }

  /** Whether {@code reader} is the only node reading {@code node}'s outputs. */
  private static boolean onlyReader(
      OnnxGraph g, Map<String, List<Node>> consumers, Node node, Node reader) {
    for (String o : node.outputs) {
      if (o.isEmpty()) {
        continue;
      }
      if (g.graphOutputs.contains(o)) {
        return false;
      }
      for (Node c : consumers.getOrDefault(o, List.of())) {
        if (c != reader) {
          return false;
        }
      }
    }
    return true;
  }
}
