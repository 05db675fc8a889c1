package dev.winnow.onnx;

import static dev.winnow.onnx.OnnxProto.cat;
import static dev.winnow.onnx.OnnxProto.externalTensor;
import static dev.winnow.onnx.OnnxProto.model;
import static dev.winnow.onnx.OnnxProto.msg;
import static dev.winnow.onnx.OnnxProto.num;
import static dev.winnow.onnx.OnnxProto.str;
import static dev.winnow.onnx.OnnxProto.varint;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.testkit.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSafetyTest {

  private static Path folder(Path dir, byte[] onnx) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{}");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.createDirectories(dir.resolve("onnx"));
    Files.write(dir.resolve("onnx/model.onnx"), onnx);
    return dir;
  }

  // --- external data ----------------------------------------------------------------------------

  @Test
  void externalDataLocations_handWrittenModel_findsEveryPlaceTensorsLive(@TempDir Path dir)
      throws Exception {
    byte[] subgraph = msg(6, msg(5, externalTensor("sub", "sub.bin"))); // attribute g: initializer
    byte[] ifNode = msg(1, str(4, "If"), msg(5, str(1, "then_branch"), subgraph));
    byte[] sparse = msg(15, msg(1, externalTensor("v", "values.bin")), msg(2, num(1, 4)));
    byte[] constant =
        msg(1, str(4, "Constant"), msg(5, str(1, "value"), msg(5, tensorAt("k.bin"))));
    Path onnx = dir.resolve("m.onnx");
    Files.write(onnx, model(msg(5, externalTensor("w", "w.bin")), ifNode, sparse, constant));

    assertThat(ModelSafety.externalDataLocations(onnx))
        .containsExactly("w.bin", "sub.bin", "values.bin", "k.bin");
  }

  private static byte[] tensorAt(String location) {
    return externalTensor("t", location);
  }

  @Test
  void check_externalDataEscapingWithDotDot_isRefused(@TempDir Path dir) throws Exception {
    folder(dir, model(msg(5, externalTensor("w", "../../etc/passwd"))));
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.onnx")
        .hasMessageContaining("'../../etc/passwd'")
        .hasMessageContaining("'..' segment");
    // and the one call inside ModelFolder.open refuses it before anything is loaded
    assertThatThrownBy(() -> ModelFolder.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("../../etc/passwd");
  }

  @Test
  void check_externalDataAbsolute_isRefused(@TempDir Path dir) throws Exception {
    folder(dir, model(msg(5, externalTensor("w", "/etc/passwd"))));
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/etc/passwd'")
        .hasMessageContaining("absolute");
  }

  @Test
  void check_externalDataInsideAndPresent_passes(@TempDir Path dir) throws Exception {
    folder(dir, model(msg(5, externalTensor("w", "model.onnx_data"))));
    Files.write(dir.resolve("onnx/model.onnx_data"), new byte[8]);
    assertThatCode(() -> ModelSafety.check(dir, dir.resolve("onnx/model.onnx")))
        .doesNotThrowAnyException();
    assertThat(ModelFolder.open(dir).onnx()).isEqualTo(dir.resolve("onnx/model.onnx"));
  }

  @Test
  void check_externalDataMissing_namesTheFile(@TempDir Path dir) throws Exception {
    folder(dir, model(msg(5, externalTensor("w", "model.onnx_data"))));
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'model.onnx_data', missing at");
  }

  @Test
  void check_externalDataThroughSymlinkOutside_isRefused(@TempDir Path dir) throws Exception {
    folder(dir, model(msg(5, externalTensor("w", "data/w.bin"))));
    Files.createSymbolicLink(dir.resolve("onnx/data"), Path.of("/etc"));
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outside the model folder");
  }

  @Test
  void check_truncatedOnnx_isLeftToOnnxRuntime(@TempDir Path dir) throws Exception {
    // protobuf (so ONNX Runtime) refuses a truncated file before reading external data; the
    // engine reports it naming the file, so the safety check does not pre-empt it
    byte[] good = model(msg(5, externalTensor("w", "w.bin")));
    folder(dir, Arrays.copyOf(good, good.length - 5));
    assertThatCode(() -> ModelSafety.check(dir)).doesNotThrowAnyException();
    assertThat(OnnxExternalData.scan(dir.resolve("onnx/model.onnx")).malformed())
        .get()
        .asString()
        .contains("not well-formed protobuf")
        .contains("byte offset");
  }

  @Test
  void check_groupsOfUnknownFields_areSkippedLikeProtobufDoes(@TempDir Path dir) throws Exception {
    // wire type 3/4 groups are valid protobuf that ONNX Runtime skips: they must not stop the
    // scan before an escaping tensor
    byte[] group = cat(varint(99 << 3 | 3), num(1, 5), msg(2, new byte[3]), varint(99 << 3 | 4));
    byte[] graph = msg(7, group, msg(5, externalTensor("w", "../../etc/passwd")));
    folder(dir, cat(num(1, 7), group, graph));
    assertThat(ModelSafety.externalDataLocations(dir.resolve("onnx/model.onnx")))
        .containsExactly("../../etc/passwd");
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("../../etc/passwd");
  }

  @Test
  void check_locationWithoutValue_isRefusedAsEmpty(@TempDir Path dir) throws Exception {
    byte[] tensor = cat(str(8, "w"), msg(13, str(1, "location")), num(14, 1));
    folder(dir, model(msg(5, tensor)));
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is empty");
  }

  @Test
  void check_deepNesting_isRefusedNotStackOverflow(@TempDir Path dir) throws Exception {
    byte[] g = msg(5, externalTensor("w", "w.bin"));
    for (int i = 0; i < 200; i++) { // graph -> node -> attribute g -> graph ...
      g = msg(1, msg(5, msg(6, g)));
    }
    folder(dir, cat(num(1, 7), msg(7, g)));
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("deeper than 64 levels");
  }

  // --- symbolic links ---------------------------------------------------------------------------

  @Test
  void check_symlinkToEtc_isRefusedNamingTheLink(@TempDir Path dir) throws Exception {
    folder(dir, model());
    Files.createSymbolicLink(dir.resolve("secrets"), Path.of("/etc"));
    assertThatThrownBy(() -> ModelFolder.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(dir.resolve("secrets").toString())
        .hasMessageContaining("outside the model folder")
        .hasMessageContaining("symbolic link");
  }

  @Test
  void check_configSymlinkedOutside_isRefused(@TempDir Path dir) throws Exception {
    Path model = Files.createDirectory(dir.resolve("model"));
    folder(model, model());
    Path outside = Files.writeString(dir.resolve("outside.json"), "{}");
    Files.delete(model.resolve("config.json"));
    Files.createSymbolicLink(model.resolve("config.json"), Path.of("../outside.json"));
    assertThat(Files.exists(model.resolve("config.json"))).isTrue();
    assertThatThrownBy(() -> ModelSafety.check(model))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config.json")
        .hasMessageContaining(outside.toRealPath().toString());
  }

  @Test
  void check_onnxDirSymlinkedOutside_isRefused(@TempDir Path dir) throws Exception {
    Path elsewhere = Files.createDirectory(dir.resolve("elsewhere"));
    Files.write(elsewhere.resolve("model.onnx"), model());
    Path model = Files.createDirectory(dir.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Files.writeString(model.resolve("tokenizer.json"), "{}");
    Files.createSymbolicLink(model.resolve("onnx"), elsewhere);
    assertThatThrownBy(() -> ModelFolder.open(model))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(model.resolve("onnx").toString());
  }

  @Test
  void check_hubCacheLinksIntoOwnBlobs_pass_otherReposBlobs_refused(@TempDir Path cache)
      throws Exception {
    Path repo = cache.resolve("models--org--a");
    Path blobs = Files.createDirectories(repo.resolve("blobs"));
    Path snap = Files.createDirectories(repo.resolve("snapshots/0123abcd/onnx"));
    Files.writeString(blobs.resolve("e1"), "{}");
    Files.write(blobs.resolve("e2"), model());
    Files.createSymbolicLink(snap.getParent().resolve("config.json"), Path.of("../../blobs/e1"));
    Files.createSymbolicLink(snap.getParent().resolve("tokenizer.json"), Path.of("../../blobs/e1"));
    Files.createSymbolicLink(snap.resolve("model.onnx"), Path.of("../../../blobs/e2"));
    assertThat(ModelFolder.open(snap.getParent()).onnx())
        .isEqualTo(snap.getParent().resolve("onnx/model.onnx"));

    Path other = Files.createDirectories(cache.resolve("models--org--b/blobs"));
    Files.writeString(other.resolve("x"), "{}");
    Files.createSymbolicLink(
        snap.getParent().resolve("vocab.txt"), Path.of("../../../models--org--b/blobs/x"));
    assertThatThrownBy(() -> ModelFolder.open(snap.getParent()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocab.txt")
        .hasMessageContaining("blobs/");
  }

  @Test
  void check_brokenSymlink_isNamed(@TempDir Path dir) throws Exception {
    folder(dir, model());
    Files.createSymbolicLink(dir.resolve("vocab.txt"), Path.of("missing.txt"));
    assertThatThrownBy(() -> ModelSafety.check(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocab.txt")
        .hasMessageContaining("broken symbolic link");
  }

  // --- pickles and URLs -------------------------------------------------------------------------

  @Test
  void check_pickleOnlyFolder_explainsOnnxExportIsNeeded(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("config.json"), "{}");
    Files.writeString(dir.resolve("tokenizer.json"), "{}");
    Files.write(dir.resolve("pytorch_model.bin"), new byte[16]);
    assertThatThrownBy(() -> ModelFolder.open(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pytorch_model.bin")
        .hasMessageContaining("never loaded")
        .hasMessageContaining("ONNX");
  }

  @Test
  void check_pickleNextToOnnx_isIgnored(@TempDir Path dir) throws Exception {
    folder(dir, model());
    Files.write(dir.resolve("pytorch_model.bin"), new byte[16]);
    assertThatCode(() -> ModelSafety.check(dir)).doesNotThrowAnyException();
  }

  @Test
  void check_urls_areRefused() {
    for (String url :
        new String[] {"http://example.com/m", "https://h/x", "file:/etc", "s3://b/k"}) {
      assertThatThrownBy(() -> ModelSafety.checkNotUrl(url))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + url + "' is a URL");
    }
    assertThatThrownBy(() -> ModelFolder.open(Path.of("http://example.com/model")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a URL");
    assertThatCode(() -> ModelSafety.checkNotUrl("models/cross-encoder"))
        .doesNotThrowAnyException();
    assertThatCode(() -> ModelSafety.checkNotUrl("C:\\models\\x")).doesNotThrowAnyException();
  }

  // --- the real fixtures pass -------------------------------------------------------------------

  @Test
  void check_sharedFixtures_passWithoutExternalData() {
    for (Path root : new Path[] {Shared.tinyFixture(), Shared.miniLmFixture()}) {
      assertThatCode(() -> ModelSafety.check(root)).doesNotThrowAnyException();
    }
    Path mini = Shared.miniLmFixture();
    for (Path onnx :
        new Path[] {
          Shared.tinyFixture().resolve("onnx/model.onnx"),
          mini.resolve("onnx/model.onnx"),
          mini.resolve("onnx/model_qint8.onnx")
        }) {
      // the scan reads each file to its end as well-formed protobuf, finding no external data
      assertThat(OnnxExternalData.scan(onnx))
          .isEqualTo(new OnnxExternalData.Scan(List.of(), Optional.empty()));
    }
  }
}
