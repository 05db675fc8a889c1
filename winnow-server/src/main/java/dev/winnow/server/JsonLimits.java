package dev.winnow.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies to JSON trees under explicit limits: strict UTF-8, nesting depth, number and
 * string lengths, duplicate keys rejected, nothing after the value. Every failure is an {@link
 * ApiError} with status 400 naming what was wrong. Thread-safe.
 */
final class JsonLimits {

  /** Deeper than any rerank body needs (documents as objects are depth 3). */
  static final int MAX_NESTING_DEPTH = 32;

  /** Long enough for any integer or double a client means; longer is an attack or a mistake. */
  static final int MAX_NUMBER_LENGTH = 64;

  private final ObjectMapper mapper;

  JsonLimits(long maxBodyBytes) {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBodyBytes))
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    this.mapper =
        new ObjectMapper(factory)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);
  }

  ObjectMapper mapper() {
    return mapper;
  }

  /** Decodes strict UTF-8 and parses one JSON value. */
  JsonNode parse(byte[] body, int length) {
    if (length == 0) {
      throw ApiError.malformed("request body is empty; expected a JSON object");
    }
    String text = decodeUtf8(body, length);
    try {
      JsonNode node = mapper.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw ApiError.malformed("request body is empty; expected a JSON object");
      }
      return node;
    } catch (StreamConstraintsException e) {
      throw ApiError.malformed("request body exceeds a JSON limit: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw ApiError.malformed("request body is not valid JSON: " + e.getOriginalMessage());
    }
  }

  static String decodeUtf8(byte[] body, int length) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body, 0, length);
    try {
      CharBuffer out = decoder.decode(in);
      return out.toString();
    } catch (MalformedInputException e) {
      throw ApiError.malformed(
          "request body is not valid UTF-8 (bad byte sequence at offset " + in.position() + ")");
    } catch (CharacterCodingException e) {
      throw ApiError.malformed("request body is not valid UTF-8");
    }
  }
}
