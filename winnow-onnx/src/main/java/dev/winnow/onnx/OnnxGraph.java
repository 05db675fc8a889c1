package dev.winnow.onnx;

import dev.winnow.onnx.ProtoMessage.Field;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The main graph of an ONNX model, opened for rewriting: its nodes as editable {@link Node}s, its
 * initializers by name, and everything else kept as read. Field numbers are those of onnx.proto
 * ({@code ModelProto.graph = 7}, {@code opset_import = 8}; {@code GraphProto.node = 1}, {@code
 * initializer = 5}, {@code input = 11}, {@code output = 12}, {@code value_info = 13}).
 *
 * <p>Not thread-safe: one instance serves one rewrite.
 */
final class OnnxGraph {

  static final String MS_DOMAIN = "com.microsoft";

  // TensorProto.DataType
  static final int FLOAT = 1;
  static final int UINT8 = 2;
  static final int INT8 = 3;
  static final int INT32 = 6;
  static final int INT64 = 7;

  // AttributeProto: g = 6, graphs = 11, type = 20 (GRAPH = 5)
  private static final int ATTRIBUTE_GRAPH = 6;
  private static final int ATTRIBUTE_GRAPHS = 11;

  /** One node; every field but the ones named here is kept as read. */
  static final class Node {
    String name;
    String opType;
    String domain;
    final List<String> inputs;
    final List<String> outputs;
    final List<ProtoMessage> attributes;
    final List<Field> rest;

    /**
     * Values the node's subgraphs (an {@code If}'s branches, a {@code Loop}'s body) read from the
     * enclosing graph: dependencies as real as its inputs, though the node does not list them.
     */
    final Set<String> implicitInputs = new HashSet<>();

    Node(String name, String opType, String domain, List<String> inputs, List<String> outputs) {
      this(name, opType, domain, inputs, outputs, new ArrayList<>(), new ArrayList<>());
    }

    private Node(
        String name,
        String opType,
        String domain,
        List<String> inputs,
        List<String> outputs,
        List<ProtoMessage> attributes,
        List<Field> rest) {
      this.name = name;
      this.opType = opType;
      this.domain = domain;
      this.inputs = new ArrayList<>(inputs);
      this.outputs = new ArrayList<>(outputs);
      this.attributes = attributes;
      this.rest = rest;
      for (ProtoMessage a : attributes) {
        a.all(ATTRIBUTE_GRAPH).forEach(g -> readsOf(g, implicitInputs));
        a.all(ATTRIBUTE_GRAPHS).forEach(g -> readsOf(g, implicitInputs));
      }
    }

    /**
     * Every value read by a node of a serialized graph or of its subgraphs (a superset is safe).
     */
    private static void readsOf(byte[] graph, Set<String> out) {
      for (byte[] node : ProtoMessage.parse(graph).all(1)) {
        Node n = parse(node);
        out.addAll(n.inputs);
        out.addAll(n.implicitInputs);
      }
      out.remove("");
    }

    /** All the values this node depends on: its inputs and what its subgraphs read. */
    Set<String> reads() {
      Set<String> all = new HashSet<>(inputs);
      all.addAll(implicitInputs);
      return all;
    }

    static Node parse(byte[] bytes) {
      ProtoMessage m = ProtoMessage.parse(bytes);
      List<ProtoMessage> attributes = new ArrayList<>();
      List<Field> rest = new ArrayList<>();
      for (Field f : m.fields) {
        switch (f.number()) {
          case 1, 2, 3, 4, 7 -> {}
          case 5 -> attributes.add(ProtoMessage.parse(f.bytes()));
          default -> rest.add(f);
        }
      }
      return new Node(
          m.string(3), m.string(4), m.string(7), m.strings(1), m.strings(2), attributes, rest);
    }

    byte[] toBytes() {
      ProtoMessage m = new ProtoMessage();
      inputs.forEach(s -> m.fields.add(Field.ofString(1, s)));
      outputs.forEach(s -> m.fields.add(Field.ofString(2, s)));
      m.fields.add(Field.ofString(3, name));
      m.fields.add(Field.ofString(4, opType));
      attributes.forEach(a -> m.fields.add(Field.ofBytes(5, a.toBytes())));
      if (!domain.isEmpty()) {
        m.fields.add(Field.ofString(7, domain));
      }
      m.fields.addAll(rest);
      return m.toBytes();
    }

    boolean is(String op) {
      return opType.equals(op) && (domain.isEmpty() || domain.equals("ai.onnx"));
    }

    boolean isMs(String op) {
      return opType.equals(op) && domain.equals(MS_DOMAIN);
    }

    Optional<ProtoMessage> attribute(String attributeName) {
      for (ProtoMessage a : attributes) {
        if (a.string(1).equals(attributeName)) {
          return Optional.of(a);
        }
      }
      return Optional.empty();
    }

    long intAttribute(String attributeName, long absent) {
      return attribute(attributeName).map(a -> a.varint(3, absent)).orElse(absent);
    }

    float floatAttribute(String attributeName, float absent) {
      for (ProtoMessage a : attributes) {
        if (a.string(1).equals(attributeName)) {
          for (Field f : a.fields) {
            if (f.number() == 2 && f.wireType() == ProtoMessage.FIXED32) {
              return Float.intBitsToFloat((int) f.value());
            }
          }
        }
      }
      return absent;
    }

    List<Long> intsAttribute(String attributeName) {
      return attribute(attributeName).map(a -> a.varints(8)).orElse(List.of());
    }

    Node withInt(String attributeName, long value) {
      ProtoMessage a = new ProtoMessage();
      a.fields.add(Field.ofString(1, attributeName));
      a.fields.add(Field.ofVarint(3, value));
      a.fields.add(Field.ofVarint(20, 2)); // AttributeType.INT
      attributes.add(a);
      return this;
    }

    Node withInts(String attributeName, long... values) {
      ProtoMessage a = new ProtoMessage();
      a.fields.add(Field.ofString(1, attributeName));
      for (long v : values) {
        a.fields.add(Field.ofVarint(8, v));
      }
      a.fields.add(Field.ofVarint(20, 7)); // AttributeType.INTS
      attributes.add(a);
      return this;
    }

    /**
     * Adds a subgraph attribute, e.g. an {@code If}'s {@code then_branch}; see {@link #subgraph}.
     */
    Node withGraph(String attributeName, byte[] graph) {
      ProtoMessage a = new ProtoMessage();
      a.fields.add(Field.ofString(1, attributeName));
      a.fields.add(Field.ofBytes(ATTRIBUTE_GRAPH, graph));
      a.fields.add(Field.ofVarint(20, 5)); // AttributeType.GRAPH
      attributes.add(a);
      readsOf(graph, implicitInputs);
      return this;
    }

    Node withFloat(String attributeName, float value) {
      ProtoMessage a = new ProtoMessage();
      a.fields.add(Field.ofString(1, attributeName));
      a.fields.add(Field.ofFloat(2, value));
      a.fields.add(Field.ofVarint(20, 1)); // AttributeType.FLOAT
      attributes.add(a);
      return this;
    }
  }

  private final ProtoMessage model;
  private final ProtoMessage graph;
  final List<Node> nodes = new ArrayList<>();
  final Map<String, ProtoMessage> initializers = new LinkedHashMap<>();
  final Set<String> graphInputs = new HashSet<>();
  final Set<String> graphOutputs = new HashSet<>();

  /** The initializers the graph was read with (a rewrite may remove some). */
  private final Set<String> readInitializers;

  private int generated;

  private OnnxGraph(ProtoMessage model, ProtoMessage graph) {
    this.model = model;
    this.graph = graph;
    for (Field f : graph.fields) {
      switch (f.number()) {
        case 1 -> nodes.add(Node.parse(f.bytes()));
        case 5 -> {
          ProtoMessage t = ProtoMessage.parse(f.bytes());
          initializers.put(t.string(8), t);
        }
        case 11 -> graphInputs.add(ProtoMessage.parse(f.bytes()).string(1));
        case 12 -> graphOutputs.add(ProtoMessage.parse(f.bytes()).string(1));
        default -> {}
      }
    }
    readInitializers = Set.copyOf(initializers.keySet());
  }

  /** Parses a serialized {@code ModelProto}. */
  static OnnxGraph parse(byte[] modelBytes) {
    ProtoMessage model = ProtoMessage.parse(modelBytes);
    List<byte[]> graphs = model.all(7);
    if (graphs.size() != 1) {
      throw new IllegalArgumentException("an ONNX model has one graph, found " + graphs.size());
    }
    return new OnnxGraph(model, ProtoMessage.parse(graphs.get(0)));
  }

  /** The node producing each value. */
  Map<String, Node> producers() {
    Map<String, Node> out = new HashMap<>();
    for (Node n : nodes) {
      for (String o : n.outputs) {
        if (!o.isEmpty()) {
          out.put(o, n);
        }
      }
    }
    return out;
  }

  /** The nodes reading each value (a node reading a value twice is listed twice). */
  Map<String, List<Node>> consumers() {
    Map<String, List<Node>> out = new HashMap<>();
    for (Node n : nodes) {
      for (String i : n.inputs) {
        out.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
      }
      for (String i : n.implicitInputs) {
        out.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
      }
    }
    return out;
  }

  String freshName(String hint) {
    return "winnow_fused/" + hint + "_" + generated++;
  }

  /**
   * Rows of the position-embedding table in the ONNX file (the smallest first dimension of a 2-D
   * initializer named {@code *position_embeddings*}, quantized copies included); empty for a model
   * with none or one too large to read whole. Refuses a path that is not a regular file (a
   * directory or a FIFO would hang or fail deep in ONNX Runtime) and a file that is not a whole
   * ONNX model (truncated, corrupt), naming the file.
   */
  static OptionalInt positionRows(Path file) {
    OnnxExternalData.requireRegularFile(file);
    OnnxGraph graph;
    try {
      if (Files.size(file) > Integer.MAX_VALUE - 8) {
        return OptionalInt.empty();
      }
      graph = parse(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new OnnxModelException(file.toString(), "cannot read the ONNX model: " + e, e);
    } catch (RuntimeException e) {
      throw new OnnxModelException(
          file.toString(), "not a whole ONNX model (truncated or corrupt): " + e.getMessage(), e);
    }
    OptionalInt rows = OptionalInt.empty();
    for (Map.Entry<String, ProtoMessage> e : graph.initializers.entrySet()) {
      List<Long> dims = dims(e.getValue());
      if (e.getKey().contains("position_embeddings") && dims.size() == 2) {
        int n = (int) Math.min(Integer.MAX_VALUE, dims.get(0));
        rows = OptionalInt.of(rows.isPresent() ? Math.min(rows.getAsInt(), n) : n);
      }
    }
    return rows;
  }

  Optional<ProtoMessage> initializer(String name) {
    return Optional.ofNullable(initializers.get(name));
  }

  static List<Long> dims(ProtoMessage tensor) {
    return tensor.varints(1);
  }

  static int dataType(ProtoMessage tensor) {
    return (int) tensor.varint(2, 0);
  }

  /**
   * The values of a float tensor, from {@code raw_data} or {@code float_data}; a tensor whose data
   * lives elsewhere (external data) or whose values do not fill its shape is refused.
   */
  static float[] floats(ProtoMessage tensor) {
    float[] values = readFloats(tensor);
    long expected = 1;
    for (long d : dims(tensor)) {
      expected *= d;
    }
    if (values.length != expected) {
      throw new IllegalArgumentException(
          "tensor "
              + tensor.string(8)
              + " holds "
              + values.length
              + " floats for "
              + expected
              + " elements (external data is not read here)");
    }
    return values;
  }

  private static float[] readFloats(ProtoMessage tensor) {
    if (dataType(tensor) != FLOAT) {
      throw new IllegalArgumentException("not a float tensor: " + tensor.string(8));
    }
    List<byte[]> raw = tensor.all(9);
    if (!raw.isEmpty()) {
      ByteBuffer b = ByteBuffer.wrap(raw.get(raw.size() - 1)).order(ByteOrder.LITTLE_ENDIAN);
      float[] out = new float[b.remaining() / 4];
      b.asFloatBuffer().get(out);
      return out;
    }
    List<Float> values = new ArrayList<>();
    for (Field f : tensor.fields) {
      if (f.number() == 4 && f.wireType() == ProtoMessage.FIXED32) {
        values.add(Float.intBitsToFloat((int) f.value()));
      } else if (f.number() == 4 && f.bytes() != null) {
        ByteBuffer b = ByteBuffer.wrap(f.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
          values.add(b.getFloat());
        }
      }
    }
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /** The values of an int64 tensor, from {@code raw_data} or {@code int64_data}. */
  static long[] longs(ProtoMessage tensor) {
    if (dataType(tensor) != INT64) {
      throw new IllegalArgumentException("not an int64 tensor: " + tensor.string(8));
    }
    List<byte[]> raw = tensor.all(9);
    if (!raw.isEmpty()) {
      ByteBuffer b = ByteBuffer.wrap(raw.get(raw.size() - 1)).order(ByteOrder.LITTLE_ENDIAN);
      long[] out = new long[b.remaining() / 8];
      b.asLongBuffer().get(out);
      return out;
    }
    return tensor.varints(7).stream().mapToLong(Long::longValue).toArray();
  }

  /** The opset version the model imports for {@code domain} ("" is the default domain), or 0. */
  int opsetVersion(String domain) {
    for (byte[] b : model.all(8)) {
      ProtoMessage opset = ProtoMessage.parse(b);
      String d = opset.string(1);
      if (d.equals(domain) || (domain.isEmpty() && d.equals("ai.onnx"))) {
        return (int) opset.varint(2, 0);
      }
    }
    return 0;
  }

  /**
   * A serialized subgraph for a control-flow attribute ({@code If}'s branches): {@code nodes},
   * which may read any value of the enclosing graph, and {@code floatOutputs}, the float values it
   * gives back, in order.
   */
  static byte[] subgraph(String name, List<Node> nodes, List<String> floatOutputs) {
    ProtoMessage graph = new ProtoMessage();
    nodes.forEach(n -> graph.fields.add(Field.ofBytes(1, n.toBytes())));
    graph.fields.add(Field.ofString(2, name));
    for (String output : floatOutputs) {
      ProtoMessage tensorType = new ProtoMessage();
      tensorType.fields.add(Field.ofVarint(1, FLOAT)); // TypeProto.Tensor.elem_type
      ProtoMessage type = new ProtoMessage();
      type.fields.add(Field.ofBytes(1, tensorType.toBytes())); // TypeProto.tensor_type
      ProtoMessage valueInfo = new ProtoMessage();
      valueInfo.fields.add(Field.ofString(1, output));
      valueInfo.fields.add(Field.ofBytes(2, type.toBytes()));
      graph.fields.add(Field.ofBytes(12, valueInfo.toBytes()));
    }
    return graph.toBytes();
  }

  /**
   * Makes {@code outputs} the graph's outputs, each a float tensor of the given shape (a {@code
   * null} dimension is symbolic, named after its output and position).
   */
  void replaceOutputs(Map<String, Long[]> outputs) {
    graph.removeAll(12);
    graphOutputs.clear();
    outputs.forEach(
        (name, dims) -> {
          ProtoMessage shape = new ProtoMessage();
          for (int i = 0; i < dims.length; i++) {
            ProtoMessage dim = new ProtoMessage();
            dim.fields.add(
                dims[i] == null
                    ? Field.ofString(2, name + "_dim_" + i)
                    : Field.ofVarint(1, dims[i]));
            shape.fields.add(Field.ofBytes(1, dim.toBytes()));
          }
          ProtoMessage tensorType = new ProtoMessage();
          tensorType.fields.add(Field.ofVarint(1, FLOAT));
          tensorType.fields.add(Field.ofBytes(2, shape.toBytes()));
          ProtoMessage type = new ProtoMessage();
          type.fields.add(Field.ofBytes(1, tensorType.toBytes()));
          ProtoMessage valueInfo = new ProtoMessage();
          valueInfo.fields.add(Field.ofString(1, name));
          valueInfo.fields.add(Field.ofBytes(2, type.toBytes()));
          graph.fields.add(Field.ofBytes(12, valueInfo.toBytes()));
          graphOutputs.add(name);
        });
  }

  /** Adds an int64 initializer of the given shape. */
  void addLongs(String name, long[] dims, long[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    b.asLongBuffer().put(values);
    addTensor(name, dims, INT64, b.array());
  }

  /** Adds a float initializer of the given shape. */
  void addFloats(String name, long[] dims, float[] values) {
    ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    addTensor(name, dims, FLOAT, b.array());
  }

  /** Adds an initializer of the given shape and element type from its little-endian bytes. */
  void addTensor(String name, long[] dims, int dataType, byte[] littleEndian) {
    ProtoMessage t = new ProtoMessage();
    for (long d : dims) {
      t.fields.add(Field.ofVarint(1, d));
    }
    t.fields.add(Field.ofVarint(2, dataType));
    t.fields.add(Field.ofString(8, name));
    t.fields.add(Field.ofBytes(9, littleEndian));
    initializers.put(name, t);
  }

  /**
   * Removes nodes none of whose outputs is read or is a graph output, repeatedly, then the
   * initializers no node reads.
   */
  void removeDeadNodes() {
    boolean changed = true;
    while (changed) {
      Map<String, List<Node>> consumers = consumers();
      changed =
          nodes.removeIf(
              n ->
                  n.outputs.stream()
                      .noneMatch(o -> graphOutputs.contains(o) || consumers.containsKey(o)));
    }
    Set<String> read = new HashSet<>(graphOutputs);
    nodes.forEach(n -> read.addAll(n.reads()));
    initializers.keySet().removeIf(name -> !read.contains(name));
  }

  /** Serializes the model: nodes in topological order, the Microsoft domain imported. */
  byte[] toBytes() {
    Set<String> produced = new HashSet<>();
    nodes.forEach(n -> produced.addAll(n.outputs));
    List<Field> fields = new ArrayList<>();
    boolean nodesWritten = false;
    for (Field f : graph.fields) {
      switch (f.number()) {
        case 1 -> {
          if (!nodesWritten) {
            sorted().forEach(n -> fields.add(Field.ofBytes(1, n.toBytes())));
            nodesWritten = true;
          }
        }
        case 5 -> {}
        case 11 -> {
          // Models before IR 4 list initializers among the inputs: drop those no longer present.
          String input = ProtoMessage.parse(f.bytes()).string(1);
          if (initializers.containsKey(input) || !readInitializers.contains(input)) {
            fields.add(f);
          }
        }
        case 13 -> {
          // Shapes recorded for values that no longer exist would only confuse the loader.
          if (produced.contains(ProtoMessage.parse(f.bytes()).string(1))) {
            fields.add(f);
          }
        }
        default -> fields.add(f);
      }
    }
    if (!nodesWritten) {
      sorted().forEach(n -> fields.add(Field.ofBytes(1, n.toBytes())));
    }
    initializers.values().forEach(t -> fields.add(Field.ofBytes(5, t.toBytes())));

    List<Field> modelFields = new ArrayList<>();
    boolean msImported = false;
    for (Field f : model.fields) {
      if (f.number() == 7) {
        modelFields.add(Field.ofBytes(7, new ProtoMessage(fields).toBytes()));
      } else {
        if (f.number() == 8 && ProtoMessage.parse(f.bytes()).string(1).equals(MS_DOMAIN)) {
          msImported = true;
        }
        modelFields.add(f);
      }
    }
    if (!msImported) {
      ProtoMessage opset = new ProtoMessage();
      opset.fields.add(Field.ofString(1, MS_DOMAIN));
      opset.fields.add(Field.ofVarint(2, 1));
      modelFields.add(Field.ofBytes(8, opset.toBytes()));
    }
    return new ProtoMessage(modelFields).toBytes();
  }

  /** Kahn's algorithm, keeping the original order among ready nodes. */
  private List<Node> sorted() {
    Set<String> available = new HashSet<>(graphInputs);
    available.addAll(initializers.keySet());
    available.add("");
    Map<String, Node> producers = producers();
    Map<Node, Integer> missing = new HashMap<>();
    Map<String, List<Node>> waiting = new HashMap<>();
    Deque<Node> ready = new ArrayDeque<>();
    for (Node n : nodes) {
      int count = 0;
      for (String i : n.reads()) {
        if (!available.contains(i) && producers.containsKey(i)) {
          count++;
          waiting.computeIfAbsent(i, k -> new ArrayList<>()).add(n);
        }
      }
      missing.put(n, count);
      if (count == 0) {
        ready.add(n);
      }
    }
    List<Node> out = new ArrayList<>();
    while (!ready.isEmpty()) {
      Node n = ready.poll();
      out.add(n);
      for (String o : n.outputs) {
        for (Node w : waiting.getOrDefault(o, List.of())) {
          if (missing.merge(w, -1, Integer::sum) == 0) {
            ready.add(w);
          }
        }
      }
    }
    if (out.size() != nodes.size()) {
      throw new IllegalStateException("the rewritten graph has a cycle");
    }
    return out;
  }
}
