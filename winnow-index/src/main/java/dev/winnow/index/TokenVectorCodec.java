package dev.winnow.index;

import dev.winnow.api.TokenVectors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Collections;
import java.util.Locale;
import java.util.Objects;

/**
 * The byte forms a document's late-interaction token vectors can be stored in (issue 12, item 2:
 * the codec; the index does not store them yet):
 *
 * <ul>
 *   <li>{@link Form#FP16}: IEEE half precision, round to nearest even; {@code 2 x dim} bytes per
 *       token. Unit vectors lose about 3 decimal digits per component.
 *   <li>{@link Form#INT8}: per-dimension symmetric int8: for each dimension the document's largest
 *       {@code |component|} becomes 127, stored once per document as a float; {@code dim} bytes per
 *       token plus {@code 4 x dim} bytes per document.
 * </ul>
 *
 * Little-endian throughout. {@link #bytes} gives the size of a document's code without encoding it.
 * Stateless and thread-safe.
 */
public final class TokenVectorCodec {

  /** A storage form. */
  public enum Form {
    FP16,
    INT8;

    /** Parses {@code fp16} or {@code int8}, naming the allowed values when it is neither. */
    public static Form parse(String text) {
      return switch (text.trim().toLowerCase(Locale.ROOT)) {
        case "fp16" -> FP16;
        case "int8" -> INT8;
        default ->
            throw new IllegalArgumentException(
                "token vector form must be one of fp16, int8; got '" + text + "'");
      };
    }
  }

  private TokenVectorCodec() {}

  /** Bytes of the code of {@code tokens} vectors of {@code dim} in {@code form}. */
  public static long bytes(Form form, int tokens, int dim) {
    return switch (form) {
      case FP16 -> 2L * tokens * dim;
      case INT8 -> (long) tokens * dim + 4L * dim;
    };
  }

  /** The code of {@code vectors} in {@code form}. */
  public static byte[] encode(TokenVectors vectors, Form form) {
    Objects.requireNonNull(vectors, "vectors");
    Objects.requireNonNull(form, "form");
    int n = vectors.count();
    int dim = vectors.dimension();
    float[] v = vectors.values();
    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(bytes(form, n, dim))).order(ByteOrder.LITTLE_ENDIAN);
    for (float x : v) {
      if (!Float.isFinite(x)) {
        throw new IllegalArgumentException("token vectors must be finite, got " + x);
      }
    }
    switch (form) {
      case FP16 -> {
        for (float x : v) {
          out.putShort(toHalf(x));
        }
      }
      case INT8 -> {
        float[] scale = new float[dim];
        for (int t = 0; t < n; t++) {
          for (int j = 0; j < dim; j++) {
            scale[j] = Math.max(scale[j], Math.abs(v[t * dim + j]) / 127f);
          }
        }
        for (float s : scale) {
          out.putFloat(s);
        }
        for (int t = 0; t < n; t++) {
          for (int j = 0; j < dim; j++) {
            float s = scale[j];
            out.put(s == 0 ? 0 : (byte) Math.round(v[t * dim + j] / s));
          }
        }
      }
    }
    return out.array();
  }

  /**
   * The vectors a code holds ({@code dim} per token); token strings are not part of a code, so they
   * come back empty.
   */
  public static TokenVectors decode(byte[] code, Form form, int dim) {
    Objects.requireNonNull(code, "code");
    if (dim < 1) {
      throw new IllegalArgumentException("dim must be >= 1, got " + dim);
    }
    ByteBuffer in = ByteBuffer.wrap(code).order(ByteOrder.LITTLE_ENDIAN);
    int tokens =
        switch (form) {
          case FP16 -> code.length / (2 * dim);
          case INT8 -> (code.length - 4 * dim) / dim;
        };
    if (tokens < 0 || bytes(form, tokens, dim) != code.length) {
      throw new IllegalArgumentException(
          "a " + form + " code of dim " + dim + " cannot be " + code.length + " bytes long");
    }
    float[] v = new float[tokens * dim];
    switch (form) {
      case FP16 -> {
        for (int i = 0; i < v.length; i++) {
          v[i] = fromHalf(in.getShort());
        }
      }
      case INT8 -> {
        float[] scale = new float[dim];
        for (int j = 0; j < dim; j++) {
          scale[j] = in.getFloat();
        }
        for (int i = 0; i < v.length; i++) {
          v[i] = in.get() * scale[i % dim];
        }
      }
    }
    return new TokenVectors(v, dim, Collections.nCopies(tokens, ""));
  }

  /** IEEE 754 binary16 of {@code f}, round to nearest even; overflow gives infinity. */
  static short toHalf(float f) {
    int bits = Float.floatToRawIntBits(f);
    int sign = (bits >>> 16) & 0x8000;
    int exp = (bits >>> 23) & 0xff;
    int mant = bits & 0x7fffff;
    if (exp == 0xff) { // infinity or NaN
      return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
    }
    int e = exp - 127 + 15;
    if (e >= 0x1f) {
      return (short) (sign | 0x7c00);
    }
    if (e <= 0) { // subnormal half (or zero)
      if (e < -10) {
        return (short) sign;
      }
      mant |= 0x800000;
      int shift = 14 - e;
      int half = mant >> shift;
      int rest = mant & ((1 << shift) - 1);
      int mid = 1 << (shift - 1);
      if (rest > mid || (rest == mid && (half & 1) == 1)) {
        half++;
      }
      return (short) (sign | half);
    }
    int half = (e << 10) | (mant >> 13);
    int rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
      half++; // may carry into the exponent, which is still the right rounding
    }
    return (short) (sign | half);
  }

  /** The float a binary16 value stands for. */
  static float fromHalf(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0) {
      float m = mant * 0x1p-24f; // subnormal: mant x 2^-24
      return sign == 0 ? m : -m;
    }
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
  }
}
