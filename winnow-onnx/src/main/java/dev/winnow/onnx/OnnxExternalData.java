package dev.winnow.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the external-data locations an ONNX file refers to, by walking its protobuf encoding
 * directly: {@code ModelProto.graph(7) -> GraphProto.initializer(5) / sparse_initializer(15) /
 * node(1).attribute(5) -> TensorProto.external_data(13) -> StringStringEntryProto key(1) "location"
 * / value(2)}, plus subgraphs in node attributes ({@code g(6)}, {@code graphs(11)}), training info
 * graphs ({@code ModelProto(20)}) and function bodies ({@code ModelProto(25)}).
 *
 * <p>It streams: every field it does not need (weights in {@code raw_data}, names, doc strings) is
 * skipped by moving the file position, so a 90 MB model costs a few thousand small reads, not 90 MB
 * of memory.
 *
 * <p>A file that is not well-formed protobuf (truncated, a length running past its parent, an
 * invalid wire type) ends the scan: the locations found so far are returned and {@link
 * Scan#malformed()} says where it broke. Such a file is harmless here, because ONNX Runtime's
 * protobuf parser refuses it too before reading any external data, and it reports the error in its
 * own terms. What protobuf does accept is followed faithfully, groups of unknown fields included,
 * so no well-formed file can hide a tensor from the scan. Two things protobuf would accept are
 * refused instead (an {@link IllegalArgumentException}): nesting deeper than {@link #MAX_DEPTH}
 * messages, and a location longer than {@value #MAX_STRING} bytes.
 *
 * <p>Not thread-safe; one instance reads one file once ({@link #scan(Path)}).
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

  /**
   * What a scan found: the {@code location} of every external tensor, in file order, and, for a
   * file that is not well-formed protobuf, where it broke.
   */
  record Scan(List<String> locations, Optional<String> malformed) {}

  /**
   * Refuses a model path that is not a regular file, naming what it is: a directory fails deep in
   * ONNX Runtime and opening a FIFO blocks forever.
   */
  static void requireRegularFile(Path onnx) {
    if (!Files.isRegularFile(onnx)) {
      String kind =
          Files.isDirectory(onnx)
              ? "a directory"
              : Files.exists(onnx) ? "not a regular file (a FIFO, socket or device)" : "missing";
      throw new OnnxModelException(
          onnx.toString(), "the ONNX model is " + kind + "; it must be a regular file", null);
    }
  }

  /** Scans {@code onnx}. */
  static Scan scan(Path onnx) {
    requireRegularFile(onnx);
    try (FileChannel ch = FileChannel.open(onnx, StandardOpenOption.READ)) {
      OnnxExternalData reader = new OnnxExternalData(onnx, ch);
      try {
        reader.model(ch.size());
        return new Scan(List.copyOf(reader.found), Optional.empty());
      } catch (Malformed e) {
        return new Scan(List.copyOf(reader.found), Optional.of(e.getMessage()));
      }
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
      found.add(kv[1] == null ? "" : kv[1]); // protobuf's default: the empty string
    }
  }

  /**
   * Reads the fields of one message up to {@code end}: scalars are skipped, each length-delimited
   * field goes to {@code onField}, which must consume exactly its bytes.
   */
  private void fields(long end, int depth, Field onField) throws IOException {
    checkDepth(depth);
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
        case 3 -> skipGroup(number, end, depth + 1);
        default -> throw malformed("wire type " + wire + " (field " + number + ")");
      }
    }
    if (position() != end) {
      throw malformed("a field running past its message");
    }
  }

  /** Skips a (deprecated, but valid) group of an unknown field, up to its end-group tag. */
  private void skipGroup(int number, long end, int depth) throws IOException {
    checkDepth(depth);
    while (position() < end) {
      long key = varint();
      int inner = (int) (key >>> 3);
      int wire = (int) (key & 7);
      switch (wire) {
        case 0 -> varint();
        case 1 -> seek(bounded(position() + 8, end));
        case 5 -> seek(bounded(position() + 4, end));
        case 2 -> {
          long length = varint(); // before position(): the length's own bytes come first
          seek(bounded(position() + length, end));
        }
        case 3 -> skipGroup(inner, end, depth + 1);
        case 4 -> {
          if (inner != number) {
            throw malformed("group " + number + " closed as " + inner);
          }
          return;
        }
        default -> throw malformed("wire type " + wire + " (field " + inner + ")");
      }
    }
    throw malformed("group " + number + " not closed");
  }

  private void checkDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "ONNX file "
              + file
              + " nests messages deeper than "
              + MAX_DEPTH
              + " levels; refused, as its external data could not be checked");
    }
  }

  private long bounded(long target, long end) {
    if (target > end || target < 0) {
      throw malformed("a length running past its message (to " + target + ", limit " + end + ")");
    }
    return target;
  }

  private String string(long end) throws IOException {
    long length = end - position();
    if (length > MAX_STRING) {
      throw new IllegalArgumentException(
          "ONNX file "
              + file
              + " has an external_data string of "
              + length
              + " bytes at byte offset "
              + position()
              + " (limit "
              + MAX_STRING
              + "); refused");
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

  private Malformed malformed(String what) {
    return new Malformed(
        "ONNX file "
            + file
            + " is not well-formed protobuf: "
            + what
            + " at byte offset "
            + position());
  }

  /** Ends a scan of a file protobuf itself would refuse. */
  private static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }
}
