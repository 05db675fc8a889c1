package dev.winnow.onnx;

import dev.winnow.onnx.OnnxGraph.Node;
import dev.winnow.onnx.ProtoMessage.Field;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An ONNX model as a training engine reads it, and the same model written back with new weights:
 * the public face of {@link OnnxGraph} for {@code winnow-train}.
 *
 * <p>Reading gives the main graph's nodes (op type, inputs, outputs and plain attributes), its
 * float and int64 initializers with their values, and its inputs and outputs. Writing keeps every
 * node and field of the original model, replaces the values of the initializers it is given, turns
 * {@code Identity} copies of an initializer into initializers of their own (an exporter that
 * deduplicated equal tensors left those; training unties them), appends new nodes, and names the
 * graph's float outputs. So what a trainer exports is the graph it trained, op for op.
 *
 * <p>Not thread-safe; each instance holds one parsed model.
 */
public final class TrainableGraph {

  // TensorProto.DataType values a trainer meets.
  public static final int FLOAT = OnnxGraph.FLOAT;
  public static final int INT64 = OnnxGraph.INT64;
  public static final int INT32 = OnnxGraph.INT32;

  /** A tensor value: exactly one of {@code floats} and {@code longs} is non-null. */
  public record Tensor(String name, long[] dims, int dataType, float[] floats, long[] longs) {
    public Tensor {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dims, "dims");
      if ((floats == null) == (longs == null)) {
        throw new IllegalArgumentException(
            "tensor " + name + " needs exactly one of floats, longs");
      }
    }

    public static Tensor ofFloats(String name, long[] dims, float[] values) {
      return new Tensor(name, dims, FLOAT, values, null);
    }

    public static Tensor ofLongs(String name, long[] dims, long[] values) {
      return new Tensor(name, dims, INT64, null, values);
    }
  }

  /**
   * One node. {@code attributes} maps a name to a {@link Long}, {@link Float}, {@code long[]},
   * {@code float[]}, {@link String} or {@link Tensor}; other kinds (subgraphs) are left out.
   */
  public record Op(
      String name,
      String opType,
      String domain,
      List<String> inputs,
      List<String> outputs,
      Map<String, Object> attributes) {

    public Op {
      inputs = List.copyOf(inputs);
      outputs = List.copyOf(outputs);
      attributes = Map.copyOf(attributes);
    }

    public long intAttribute(String attribute, long absent) {
      return attributes.get(attribute) instanceof Long l ? l : absent;
    }

    public float floatAttribute(String attribute, float absent) {
      return attributes.get(attribute) instanceof Float f ? f : absent;
    }

    public Optional<long[]> intsAttribute(String attribute) {
      return attributes.get(attribute) instanceof long[] l ? Optional.of(l) : Optional.empty();
    }

    public Optional<Tensor> tensorAttribute(String attribute) {
      return attributes.get(attribute) instanceof Tensor t ? Optional.of(t) : Optional.empty();
    }

    /** An input that may be omitted: "" when absent. */
    public String input(int i) {
      return i < inputs.size() ? inputs.get(i) : "";
    }
  }

  private final OnnxGraph graph;
  private final int opset;

  private TrainableGraph(OnnxGraph graph) {
    this.graph = graph;
    this.opset = graph.opsetVersion("");
  }

  /** Parses a serialized model; one whose weights live in external data files is refused. */
  public static TrainableGraph read(byte[] modelBytes) {
    return new TrainableGraph(OnnxGraph.parse(modelBytes));
  }

  /** The default domain's opset version. */
  public int opset() {
    return opset;
  }

  /** The graph's inputs that are not initializers, in order. */
  public List<String> inputs() {
    List<String> out = new ArrayList<>();
    for (String name : graph.graphInputs) {
      if (!graph.initializers.containsKey(name)) {
        out.add(name);
      }
    }
    return out;
  }

  /** The graph's outputs. */
  public List<String> outputs() {
    return List.copyOf(graph.graphOutputs);
  }

  /** The nodes in file order (exporters write them topologically sorted). */
  public List<Op> ops() {
    List<Op> out = new ArrayList<>(graph.nodes.size());
    for (Node n : graph.nodes) {
      Map<String, Object> attributes = new LinkedHashMap<>();
      for (ProtoMessage a : n.attributes) {
        attribute(a).ifPresent(v -> attributes.put(a.string(1), v));
      }
      out.add(new Op(n.name, n.opType, n.domain, n.inputs, n.outputs, attributes));
    }
    return out;
  }

  /** The float and int64 initializers by name; a tensor of another type is refused. */
  public Map<String, Tensor> initializers() {
    Map<String, Tensor> out = new LinkedHashMap<>();
    graph.initializers.forEach((name, t) -> out.put(name, tensor(t)));
    return out;
  }

  /**
   * The model with the given weights: each name in {@code values} either is an initializer (its
   * values replaced, its shape kept unless the tensor says otherwise) or is produced by an {@code
   * Identity} node (which is replaced by an initializer of that name) or is new; {@code added} are
   * appended; {@code floatOutputs}, when not empty, become the graph's outputs with the given
   * shapes ({@code null} entries name a symbolic dimension).
   */
  public byte[] write(
      Map<String, Tensor> values, List<Op> added, Map<String, Long[]> floatOutputs) {
    var producers = graph.producers();
    for (Tensor t : values.values()) {
      Node producer = producers.get(t.name());
      if (producer != null) {
        if (!producer.is("Identity")) {
          throw new IllegalArgumentException(
              "value " + t.name() + " is computed by a " + producer.opType + " node, not a weight");
        }
        graph.nodes.remove(producer);
      }
      if (t.floats() != null) {
        graph.addFloats(t.name(), t.dims(), t.floats());
      } else {
        graph.addLongs(t.name(), t.dims(), t.longs());
      }
    }
    for (Op op : added) {
      Node n = new Node(op.name(), op.opType(), op.domain(), op.inputs(), op.outputs());
      op.attributes()
          .forEach(
              (k, v) -> {
                if (v instanceof Long l) {
                  n.withInt(k, l);
                } else if (v instanceof long[] l) {
                  n.withInts(k, l);
                } else if (v instanceof Float f) {
                  n.withFloat(k, f);
                } else {
                  throw new IllegalArgumentException(
                      "attribute " + k + " of added node " + op.name() + ": unsupported " + v);
                }
              });
      graph.nodes.add(n);
    }
    if (!floatOutputs.isEmpty()) {
      graph.replaceOutputs(floatOutputs);
    }
    graph.removeDeadNodes();
    return graph.toBytes();
  }

  private static Tensor tensor(ProtoMessage t) {
    String name = t.string(8);
    long[] dims = OnnxGraph.dims(t).stream().mapToLong(Long::longValue).toArray();
    int type = OnnxGraph.dataType(t);
    return switch (type) {
      case FLOAT -> Tensor.ofFloats(name, dims, OnnxGraph.floats(t));
      case INT64 -> Tensor.ofLongs(name, dims, OnnxGraph.longs(t));
      default ->
          throw new IllegalArgumentException(
              "tensor "
                  + name
                  + " has data type "
                  + type
                  + "; only float (1) and int64 (7) are read");
    };
  }

  // AttributeProto: f = 2, i = 3, s = 4, t = 5, floats = 7, ints = 8, type = 20
  private static Optional<Object> attribute(ProtoMessage a) {
    long type = a.varint(20, 0);
    return switch ((int) type) {
      case 1 -> floatOf(a);
      case 2 -> Optional.of(a.varint(3, 0));
      case 3 -> Optional.of(a.string(4));
      case 4 -> Optional.of(tensor(ProtoMessage.parse(a.all(5).get(a.all(5).size() - 1))));
      case 6 -> Optional.of(floatsOf(a));
      case 7 -> Optional.of(a.varints(8).stream().mapToLong(Long::longValue).toArray());
      default -> Optional.empty();
    };
  }

  private static Optional<Object> floatOf(ProtoMessage a) {
    for (Field f : a.fields) {
      if (f.number() == 2 && f.wireType() == ProtoMessage.FIXED32) {
        return Optional.of(Float.intBitsToFloat((int) f.value()));
      }
    }
    return Optional.of(0f);
  }

  private static float[] floatsOf(ProtoMessage a) {
    List<Float> out = new ArrayList<>();
    for (Field f : a.fields) {
      if (f.number() != 7) {
        continue;
      }
      if (f.wireType() == ProtoMessage.FIXED32) {
        out.add(Float.intBitsToFloat((int) f.value()));
      } else if (f.bytes() != null) {
        var b = java.nio.ByteBuffer.wrap(f.bytes()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.remaining() >= 4) {
          out.add(b.getFloat());
        }
      }
    }
    float[] r = new float[out.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = out.get(i);
    }
    return r;
  }
}
