package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.TokenVectors;
import dev.winnow.index.TokenVectorCodec.Form;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The storage forms of token vectors: exact half-precision rounding, sizes, and how far MaxSim
 * moves on the ColBERT fixture's reference vectors when documents are stored in each form.
 */
class TokenVectorCodecTest {

  @Test
  void toHalf_roundsToNearestEven_andEveryHalfRoundTrips() {
    assertThat(TokenVectorCodec.toHalf(1f)).isEqualTo((short) 0x3c00);
    assertThat(TokenVectorCodec.toHalf(-2f)).isEqualTo((short) 0xc000);
    assertThat(TokenVectorCodec.toHalf(0.1f)).isEqualTo((short) 0x2e66);
    assertThat(TokenVectorCodec.toHalf(65504f)).isEqualTo((short) 0x7bff);
    assertThat(TokenVectorCodec.toHalf(65520f)).isEqualTo((short) 0x7c00); // rounds to infinity
    assertThat(TokenVectorCodec.toHalf(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
    assertThat(TokenVectorCodec.toHalf(0x1p-25f)).isEqualTo((short) 0x0000); // tie -> even (0)
    assertThat(TokenVectorCodec.toHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3c00); // tie -> even
    assertThat(TokenVectorCodec.toHalf(1f + 0x3p-11f)).isEqualTo((short) 0x3c02); // tie -> even
    for (int h = 0; h < 0x10000; h++) {
      float f = TokenVectorCodec.fromHalf((short) h);
      if (!Float.isNaN(f)) {
        assertThat(TokenVectorCodec.toHalf(f) & 0xffff).as("half 0x%04x", h).isEqualTo(h);
      }
    }
  }

  @Test
  void encode_sizesAreAsStated_andDecodeRefusesAWrongLength() {
    TokenVectors v = new TokenVectors(new float[3 * 4], 4, Collections.nCopies(3, ""));
    assertThat(TokenVectorCodec.encode(v, Form.FP16)).hasSize(24);
    assertThat(TokenVectorCodec.encode(v, Form.INT8)).hasSize(12 + 16);
    assertThat(TokenVectorCodec.bytes(Form.INT8, 300, 128)).isEqualTo(300 * 128 + 512);
    assertThatThrownBy(() -> TokenVectorCodec.decode(new byte[25], Form.FP16, 4))
        .hasMessage("a FP16 code of dim 4 cannot be 25 bytes long");
    assertThatThrownBy(() -> Form.parse("int4"))
        .hasMessage("token vector form must be one of fp16, int8; got 'int4'");
    float[] nan = {Float.NaN, 0, 0, 0};
    assertThatThrownBy(
            () -> TokenVectorCodec.encode(new TokenVectors(nan, 4, List.of("x")), Form.INT8))
        .hasMessage("token vectors must be finite, got NaN");
  }

  /**
   * All 120 query x document MaxSim scores of the fixture with documents stored in each form: fp16
   * moves them by less than 5e-3 and int8 by less than 5e-2 (measured: 2.7e-3 and 3.5e-2; out of
   * scores of 20-30, sums over 32 query tokens).
   */
  @Test
  void maxSim_onTheColbertFixture_movesLittleInEachForm() throws IOException {
    Path fixture = Shared.require("models/tiny-colbert-fixture");
    ObjectMapper json = new ObjectMapper();
    Map<String, TokenVectors> queries = new LinkedHashMap<>();
    Map<String, TokenVectors> documents = new LinkedHashMap<>();
    for (String line : Files.readAllLines(fixture.resolve("golden.jsonl"))) {
      JsonNode n = json.readTree(line);
      String kind = n.get("kind").asText();
      if (kind.equals("score")) {
        continue;
      }
      JsonNode e = n.get("embeddings");
      int dim = e.get(0).size();
      float[] v = new float[e.size() * dim];
      for (int t = 0; t < e.size(); t++) {
        for (int j = 0; j < dim; j++) {
          v[t * dim + j] = (float) e.get(t).get(j).asDouble();
        }
      }
      TokenVectors tv = new TokenVectors(v, dim, Collections.nCopies(e.size(), ""));
      (kind.equals("query") ? queries : documents).put(n.get("id").asText(), tv);
    }
    Map<Form, Double> worst = new LinkedHashMap<>();
    for (Form form : Form.values()) {
      double max = 0;
      for (TokenVectors d : documents.values()) {
        TokenVectors stored =
            TokenVectorCodec.decode(TokenVectorCodec.encode(d, form), form, d.dimension());
        assertThat(stored.count()).isEqualTo(d.count());
        for (TokenVectors q : queries.values()) {
          max = Math.max(max, Math.abs(maxSim(q, stored) - maxSim(q, d)));
        }
      }
      worst.put(form, max);
    }
    System.out.println("largest |MaxSim change| over the fixture's 120 pairs: " + worst);
    assertThat(worst.get(Form.FP16)).isLessThan(5e-3).isGreaterThan(0);
    assertThat(worst.get(Form.INT8)).isLessThan(5e-2).isGreaterThan(worst.get(Form.FP16));
  }

  private static double maxSim(TokenVectors q, TokenVectors d) {
    int dim = q.dimension();
    double sum = 0;
    for (int i = 0; i < q.count(); i++) {
      double b = Double.NEGATIVE_INFINITY;
      for (int t = 0; t < d.count(); t++) {
        double s = 0;
        for (int j = 0; j < dim; j++) {
          s += (double) q.values()[i * dim + j] * d.values()[t * dim + j];
        }
        b = Math.max(b, s);
      }
      sum += b;
    }
    return sum;
  }
}
