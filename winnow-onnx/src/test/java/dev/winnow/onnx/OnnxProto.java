package dev.winnow.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** A minimal protobuf writer for tests: enough to hand-build small ONNX models. */
public final class OnnxProto {

  private OnnxProto() {}

  public static byte[] varint(long v) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
    return out.toByteArray();
  }

  public static byte[] cat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Field {@code n} with wire type 2 (length-delimited). */
  public static byte[] msg(int n, byte[]... payload) {
    byte[] body = cat(payload);
    return cat(varint((long) n << 3 | 2), varint(body.length), body);
  }

  public static byte[] str(int n, String s) {
    return msg(n, s.getBytes(StandardCharsets.UTF_8));
  }

  public static byte[] num(int n, long v) {
    return cat(varint((long) n << 3), varint(v));
  }

  /** A TensorProto with dims, float type, a name, raw bytes, and its data in {@code location}. */
  public static byte[] externalTensor(String name, String location) {
    return cat(
        num(1, 2),
        num(2, 1),
        str(8, name),
        msg(9, new byte[64]), // raw_data, skipped by the scanner
        msg(13, str(1, "location"), str(2, location)),
        msg(13, str(1, "offset"), str(2, "0")),
        num(14, 1));
  }

  /** ModelProto{ir_version 7, producer, graph{node Add, graphFields...}}. */
  public static byte[] model(byte[]... graphFields) {
    byte[] node = msg(1, str(1, "a"), str(1, "b"), str(2, "c"), str(4, "Add"));
    return cat(num(1, 7), str(2, "handmade"), msg(7, cat(node, cat(graphFields))));
  }

  /** A model whose one initializer keeps its data at {@code location}. */
  public static byte[] modelWithExternalData(String location) {
    return model(msg(5, externalTensor("w", location)));
  }
}
