package dev.winnow.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the external-data locations an ONNX file refers to, by walking its protobuf encoding
 * directly: {@code ModelProto.graph(7) -> GraphProto.initializer(5) / sparse_initializer(15) /
 * node(1).attribute(5) -> TensorProto.external_data(13) -> StringStringEntryProto key(1) "location"
 * / value(2)}, plus subgraphs in node attributes ({@code g(6)}, {@code graphs(11)}), training info
 * graphs ({@code ModelProto(20)}) and function bodies ({@code ModelProto(25)}).
 *
 * <p>It streams: every field it does not need (weights in {@code raw_data}, names, doc strings) is
 * skipped by moving the file position, so a 90 MB model costs a few thousand small reads, not 90 MB
 * of memory. Malformed encodings (a length running past its parent, an unknown wire type, nesting
 * deeper than {@link #MAX_DEPTH}) are refused, naming the file and the offset.
 *
 * <p>Not thread-safe; one instance reads one file once ({@link #locations(Path)}).
 */
final class OnnxExternalData {

  static final int MAX_DEPTH = 64;
  private static final int MAX_STRING = 4096;

  private final Path file;
  private final FileChannel channel;
  private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
  private final List<String> found = new ArrayList<>();
  private long bufStart;

  private OnnxExternalData(Path file, FileChannel channel) {
    this.file = file;
    this.channel = channel;
    buf.limit(0);
  }

  /** The {@code location} values of every external tensor in {@code onnx}, in file order. */
  static List<String> locations(Path onnx) {
    try (FileChannel ch = FileChannel.open(onnx, StandardOpenOption.READ)) {
      OnnxExternalData reader = new OnnxExternalData(onnx, ch);
      reader.model(ch.size());
      return List.copyOf(reader.found);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read ONNX file " + onnx, e);
    }
  }

  /** A sub-parser for one length-delimited field, reading up to {@code end}. */
  @FunctionalInterface
  private interface Field {
    void read(int number, long end, int depth) throws IOException;
  }

  private void model(long end) throws IOException {
    fields(
        end,
        0,
        (n, sub, d) -> {
          switch (n) {
            case 7 -> graph(sub, d + 1);
            case 20 -> trainingInfo(sub, d + 1);
            case 25 -> function(sub, d + 1);
            default -> seek(sub);
          }
        });
  }

  private void trainingInfo(long end, int depth) throws IOException {
    fields(
        end,
        depth,
        (n, sub, d) -> {
          if (n == 1 || n == 2) { // initialization, algorithm
            graph(sub, d + 1);
          } else {
            seek(sub);
          }
        });
  }

  private void function(long end, int depth) throws IOException {
    fields(
        end,
        depth,
        (n, sub, d) -> {
          if (n == 7) { // node
            node(sub, d + 1);
          } else {
            seek(sub);
          }
        });
  }

  private void graph(long end, int depth) throws IOException {
    fields(
        end,
        depth,
        (n, sub, d) -> {
          switch (n) {
            case 1 -> node(sub, d + 1);
            case 5 -> tensor(sub, d + 1);
            case 15 -> sparseTensor(sub, d + 1);
            default -> seek(sub);
          }
        });
  }

  private void node(long end, int depth) throws IOException {
    fields(
        end,
        depth,
        (n, sub, d) -> {
          if (n == 5) { // attribute
            attribute(sub, d + 1);
          } else {
            seek(sub);
          }
        });
  }

  private void attribute(long end, int depth) throws IOException {
    fields(
        end,
        depth,
        (n, sub, d) -> {
          switch (n) {
            case 5, 10 -> tensor(sub, d + 1); // t, tensors
            case 6, 11 -> graph(sub, d + 1); // g, graphs
            case 22, 23 -> sparseTensor(sub, d + 1); // sparse_tensor, sparse_tensors
            default -> seek(sub);
          }
        });
  }

  private void sparseTensor(long end, int depth) throws IOException {
    fields(
        end,
        depth,
        (n, sub, d) -> {
          if (n == 1 || n == 2) { // values, indices
            tensor(sub, d + 1);
          } else {
            seek(sub);
          }
        });
  }

  private void tensor(long end, int depth) throws IOException {
    fields(
        end,
        depth,
        (n, sub, d) -> {
          if (n == 13) { // external_data
            entry(sub, d + 1);
          } else {
            seek(sub);
          }
        });
  }

  private void entry(long end, int depth) throws IOException {
    String[] kv = new String[2];
    fields(
        end,
        depth,
        (n, sub, d) -> {
          if (n == 1 || n == 2) {
            kv[n - 1] = string(sub);
          } else {
            seek(sub);
          }
        });
    if ("location".equals(kv[0])) {
      if (kv[1] == null) {
        throw malformed("an external_data entry 'location' without a value");
      }
      found.add(kv[1]);
    }
  }

  /**
   * Reads the fields of one message up to {@code end}: scalars are skipped, each length-delimited
   * field goes to {@code onField}, which must consume exactly its bytes.
   */
  private void fields(long end, int depth, Field onField) throws IOException {
    if (depth > MAX_DEPTH) {
      throw malformed("messages nested deeper than " + MAX_DEPTH);
    }
    while (position() < end) {
      long key = varint();
      int number = (int) (key >>> 3);
      int wire = (int) (key & 7);
      switch (wire) {
        case 0 -> varint();
        case 1 -> seek(bounded(position() + 8, end));
        case 5 -> seek(bounded(position() + 4, end));
        case 2 -> {
          long length = varint();
          if (length < 0) {
            throw malformed("a negative length");
          }
          long sub = bounded(position() + length, end);
          onField.read(number, sub, depth);
          if (position() != sub) {
            throw malformed("field " + number + " not ending where its length says");
          }
        }
        default -> throw malformed("wire type " + wire + " (field " + number + ")");
      }
    }
    if (position() != end) {
      throw malformed("a field running past its message");
    }
  }

  private long bounded(long target, long end) throws IOException {
    if (target > end || target < 0) {
      throw malformed("a length running past its message (to " + target + ", limit " + end + ")");
    }
    return target;
  }

  private String string(long end) throws IOException {
    long length = end - position();
    if (length > MAX_STRING) {
      throw malformed("an external_data string of " + length + " bytes (limit " + MAX_STRING + ")");
    }
    byte[] bytes = new byte[(int) length];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) readByte();
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private long varint() throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw malformed("a varint longer than 10 bytes");
  }

  private long position() {
    return bufStart + buf.position();
  }

  private void seek(long target) {
    long offset = target - bufStart;
    if (offset >= 0 && offset <= buf.limit()) {
      buf.position((int) offset);
    } else {
      bufStart = target;
      buf.limit(0);
    }
  }

  private int readByte() throws IOException {
    if (!buf.hasRemaining()) {
      long start = position();
      buf.clear();
      int n = 0;
      while (n == 0) {
        n = channel.read(buf, start);
      }
      buf.flip();
      bufStart = start;
      if (n < 0) {
        throw malformed("the file ending inside a field");
      }
    }
    return buf.get() & 0xFF;
  }

  private IllegalArgumentException malformed(String what) {
    return new IllegalArgumentException(
        "ONNX file "
            + file
            + " is not a valid ONNX protobuf: "
            + what
            + " at byte offset "
            + position());
  }
}
