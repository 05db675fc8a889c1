package dev.winnow.server;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body as the chunks that arrived, each copied at its own size: holding a body costs the
 * bytes received plus a few dozen bytes a chunk, never what a {@code Content-Length} declares.
 * Filled by one reader, then read; not thread-safe while filling.
 */
final class RequestBody {

  private final List<byte[]> chunks = new ArrayList<>();
  private long length;

  /** A body already in hand (fuzzing, tests). */
  static RequestBody of(byte[] bytes) {
    RequestBody b = new RequestBody();
    b.append(ByteBuffer.wrap(bytes));
    return b;
  }

  void append(ByteBuffer b) {
    byte[] copy = new byte[b.remaining()];
    b.get(copy);
    if (copy.length > 0) {
      chunks.add(copy);
      length += copy.length;
    }
  }

  long length() {
    return length;
  }

  /** The bytes in order, without copying them again. */
  InputStream stream() {
    return new InputStream() {
      private int chunk;
      private int at;

      @Override
      public int read() {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
      }

      @Override
      public int read(byte[] into, int off, int len) {
        while (chunk < chunks.size() && at == chunks.get(chunk).length) {
          chunk++;
          at = 0;
        }
        if (chunk == chunks.size()) {
          return -1;
        }
        byte[] c = chunks.get(chunk);
        int n = Math.min(len, c.length - at);
        System.arraycopy(c, at, into, off, n);
        at += n;
        return n;
      }
    };
  }

  /**
   * Checks strict UTF-8 (no overlong forms, no encoded surrogates) chunk by chunk, in constant
   * memory; 400 naming the offset of the first bad byte sequence.
   */
  void requireUtf8() {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer sink = CharBuffer.allocate(8192);
    ByteBuffer carry = ByteBuffer.allocate(0);
    long consumed = 0; // bytes of earlier chunks before carry
    for (int i = 0; i < chunks.size(); i++) {
      ByteBuffer in = join(carry, chunks.get(i));
      boolean last = i == chunks.size() - 1;
      while (true) {
        sink.clear();
        CoderResult r = decoder.decode(in, sink, last);
        if (r.isError()) {
          throw badUtf8(consumed + in.position());
        }
        if (r.isUnderflow()) {
          break;
        }
      }
      if (last) {
        sink.clear();
        if (decoder.flush(sink).isError()) {
          throw badUtf8(consumed + in.position());
        }
      }
      consumed += in.position();
      carry = in.slice();
    }
  }

  private static ByteBuffer join(ByteBuffer carry, byte[] chunk) {
    if (!carry.hasRemaining()) {
      return ByteBuffer.wrap(chunk);
    }
    ByteBuffer b = ByteBuffer.allocate(carry.remaining() + chunk.length);
    b.put(carry).put(chunk).flip();
    return b;
  }

  private static ApiError badUtf8(long offset) {
    return ApiError.malformed(
        "request body is not valid UTF-8 (bad byte sequence at offset " + offset + ")");
  }
}
