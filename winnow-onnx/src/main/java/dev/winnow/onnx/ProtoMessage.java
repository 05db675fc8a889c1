package dev.winnow.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One protobuf message as the list of its fields, in order, for reading and rewriting ONNX graphs
 * without a generated schema: a field keeps its number, wire type and payload (a varint or fixed
 * value, or the bytes of a length-delimited field), so a message written back holds every field it
 * was read with, known or not.
 *
 * <p>Groups (wire types 3 and 4, absent from ONNX files) are refused.
 *
 * <p>Not thread-safe: a message is a mutable value owned by one rewrite.
 */
final class ProtoMessage {

  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int BYTES = 2;
  static final int FIXED32 = 5;

  /**
   * One field: {@code value} holds a varint or fixed payload, {@code bytes} a length-delimited one
   * (and is then non-null).
   */
  record Field(int number, int wireType, long value, byte[] bytes) {

    static Field ofBytes(int number, byte[] bytes) {
      return new Field(number, BYTES, 0, bytes);
    }

    static Field ofString(int number, String s) {
      return ofBytes(number, s.getBytes(StandardCharsets.UTF_8));
    }

    static Field ofVarint(int number, long value) {
      return new Field(number, VARINT, value, null);
    }

    static Field ofFloat(int number, float value) {
      return new Field(number, FIXED32, Float.floatToRawIntBits(value) & 0xFFFFFFFFL, null);
    }

    String string() {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  final List<Field> fields;

  ProtoMessage(List<Field> fields) {
    this.fields = fields;
  }

  ProtoMessage() {
    this(new ArrayList<>());
  }

  static ProtoMessage parse(byte[] data) {
    return parse(data, 0, data.length);
  }

  static ProtoMessage parse(byte[] data, int offset, int length) {
    List<Field> fields = new ArrayList<>();
    int[] pos = {offset};
    int end = offset + length;
    while (pos[0] < end) {
      long key = readVarint(data, pos, end);
      int number = (int) (key >>> 3);
      int wireType = (int) (key & 7);
      if (number < 1) {
        throw new IllegalArgumentException("bad protobuf field number " + number);
      }
      switch (wireType) {
        case VARINT -> fields.add(new Field(number, VARINT, readVarint(data, pos, end), null));
        case FIXED64 -> fields.add(new Field(number, FIXED64, readFixed(data, pos, end, 8), null));
        case FIXED32 -> fields.add(new Field(number, FIXED32, readFixed(data, pos, end, 4), null));
        case BYTES -> {
          long n = readVarint(data, pos, end);
          if (n < 0 || n > end - pos[0]) {
            throw new IllegalArgumentException(
                "protobuf field " + number + " runs past its message");
          }
          byte[] bytes = new byte[(int) n];
          System.arraycopy(data, pos[0], bytes, 0, bytes.length);
          pos[0] += bytes.length;
          fields.add(new Field(number, BYTES, 0, bytes));
        }
        default ->
            throw new IllegalArgumentException(
                "unsupported protobuf wire type " + wireType + " in field " + number);
      }
    }
    return new ProtoMessage(fields);
  }

  /** The payloads of every length-delimited field {@code number}, in order. */
  List<byte[]> all(int number) {
    List<byte[]> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.number() == number && f.bytes() != null) {
        out.add(f.bytes());
      }
    }
    return out;
  }

  List<String> strings(int number) {
    List<String> out = new ArrayList<>();
    for (byte[] b : all(number)) {
      out.add(new String(b, StandardCharsets.UTF_8));
    }
    return out;
  }

  /** The last occurrence of string field {@code number} (protobuf's rule), or "" when absent. */
  String string(int number) {
    List<String> s = strings(number);
    return s.isEmpty() ? "" : s.get(s.size() - 1);
  }

  /** The last occurrence of varint field {@code number}, or {@code absent}. */
  long varint(int number, long absent) {
    long v = absent;
    for (Field f : fields) {
      if (f.number() == number && f.wireType() == VARINT) {
        v = f.value();
      }
    }
    return v;
  }

  /** Every value of repeated int64 field {@code number}, packed or not. */
  List<Long> varints(int number) {
    List<Long> out = new ArrayList<>();
    for (Field f : fields) {
      if (f.number() != number) {
        continue;
      }
      if (f.wireType() == VARINT) {
        out.add(f.value());
      } else if (f.bytes() != null) {
        int[] pos = {0};
        while (pos[0] < f.bytes().length) {
          out.add(readVarint(f.bytes(), pos, f.bytes().length));
        }
      }
    }
    return out;
  }

  void removeAll(int number) {
    fields.removeIf(f -> f.number() == number);
  }

  byte[] toBytes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Field f : fields) {
      writeVarint(out, ((long) f.number() << 3) | f.wireType());
      switch (f.wireType()) {
        case VARINT -> writeVarint(out, f.value());
        case FIXED64 -> writeFixed(out, f.value(), 8);
        case FIXED32 -> writeFixed(out, f.value(), 4);
        case BYTES -> {
          writeVarint(out, f.bytes().length);
          out.write(f.bytes(), 0, f.bytes().length);
        }
        default -> throw new IllegalStateException("wire type " + f.wireType());
      }
    }
    return out.toByteArray();
  }

  private static long readVarint(byte[] data, int[] pos, int end) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos[0] >= end) {
        throw new IllegalArgumentException("truncated protobuf varint");
      }
      byte b = data[pos[0]++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("protobuf varint longer than 10 bytes");
  }

  private static long readFixed(byte[] data, int[] pos, int end, int size) {
    if (end - pos[0] < size) {
      throw new IllegalArgumentException("truncated protobuf fixed field");
    }
    long v = 0;
    for (int i = 0; i < size; i++) {
      v |= (long) (data[pos[0]++] & 0xFF) << (8 * i);
    }
    return v;
  }

  private static void writeVarint(ByteArrayOutputStream out, long v) {
    while ((v & ~0x7FL) != 0) {
      out.write((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.write((int) v);
  }

  private static void writeFixed(ByteArrayOutputStream out, long v, int size) {
    for (int i = 0; i < size; i++) {
      out.write((int) (v >>> (8 * i)) & 0xFF);
    }
  }
}
