package dev.winnow.onnx.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.OnnxProto;
import dev.winnow.testkit.Shared;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubClientTest {

  private static final ModelId TINY = ModelId.parse("fixture/tiny");
  private static final List<String> NEEDED =
      List.of(
          "config.json",
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "vocab.txt",
          "onnx/model.onnx");

  private static Path fixture;
  private static Map<String, byte[]> tinyRepo;

  @TempDir Path cache;
  private final List<FakeHub> hubs = new ArrayList<>();

  @BeforeAll
  static void loadFixture() throws IOException {
    fixture = Shared.tinyFixture();
    tinyRepo = FakeHub.tinyRepo(fixture);
  }

  @AfterEach
  void stopHubs() {
    hubs.forEach(FakeHub::close);
  }

  private FakeHub hub(Map<String, byte[]> files) throws IOException {
    Set<String> lfs = Set.copyOf(files.keySet().stream().filter(f -> f.contains(".onnx")).toList());
    FakeHub hub = new FakeHub(files, lfs);
    hubs.add(hub);
    return hub;
  }

  private FakeHub tinyHub() throws IOException {
    return hub(tinyRepo);
  }

  private HubClient client(FakeHub hub) {
    return new HubClient(new HubConfig(hub.endpoint(), cache, Optional.empty(), false));
  }

  private Path repo() {
    return cache.resolve("models--fixture--tiny");
  }

  /** Every file under the repo's cache folder, relative, links included. */
  private List<String> cacheEntries() throws IOException {
    if (!Files.exists(repo())) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(repo())) {
      return s.filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .map(p -> repo().relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  // --- pulls ------------------------------------------------------------------------------------

  @Test
  void pull_tinyFixture_writesHubLayoutThenServesOfflineWithoutRequests() throws Exception {
    FakeHub hub = tinyHub();
    Snapshot s = client(hub).pull(TINY, "default");

    assertThat(s.commit()).isEqualTo(FakeHub.COMMIT);
    assertThat(s.path()).isEqualTo(repo().resolve("snapshots").resolve(FakeHub.COMMIT));
    assertThat(s.files()).containsExactlyInAnyOrderElementsOf(NEEDED);
    assertThat(s.downloaded()).isEqualTo(NEEDED.size());
    for (String f : NEEDED) {
      Path p = s.path().resolve(f);
      assertThat(Files.isSymbolicLink(p)).as(f).isTrue();
      assertThat(Files.readAllBytes(p)).as(f).isEqualTo(Files.readAllBytes(fixture.resolve(f)));
    }
    String onnxSha = FakeHub.sha256(tinyRepo.get("onnx/model.onnx"));
    assertThat(Files.readSymbolicLink(s.path().resolve("onnx/model.onnx")))
        .isEqualTo(Path.of("../../../blobs/" + onnxSha));
    assertThat(Files.readSymbolicLink(s.path().resolve("config.json")))
        .isEqualTo(Path.of("../../blobs/" + FakeHub.gitBlobSha1(tinyRepo.get("config.json"))));
    assertThat(Files.readString(repo().resolve("refs/main"))).isEqualTo(FakeHub.COMMIT);
    assertThat(cacheEntries()).noneMatch(e -> e.contains("incomplete") || e.contains(".tmp"));
    assertThat(hub.requests)
        .noneMatch(r -> r.path().contains("pytorch_model") || r.path().contains("golden"));
    assertThat(ModelFolder.open(s.path()).onnx()).isEqualTo(s.path().resolve("onnx/model.onnx"));

    int before = hub.requests.size();
    HubClient offline = new HubClient(client(hub).config().withOffline(true));
    Snapshot again = offline.pull(TINY, "default");
    assertThat(again.path()).isEqualTo(s.path());
    assertThat(again.downloaded()).isZero();
    ModelFolder folder = new ModelResolver(offline).resolve("fixture/tiny", "default");
    assertThat(folder.root()).isEqualTo(s.path());
    assertThat(hub.requests).hasSize(before);
  }

  @Test
  void pull_again_fetchesNothing_andReusesBlobsByEtag() throws Exception {
    FakeHub hub = tinyHub();
    HubClient client = client(hub);
    client.pull(TINY, "default");
    int afterFirst = hub.requests.size();

    Snapshot second = client.pull(TINY, "default");
    assertThat(second.downloaded()).isZero();
    assertThat(hub.requests.subList(afterFirst, hub.requests.size()))
        .extracting(FakeHub.Request::path)
        .containsExactly("/api/models/fixture/tiny/revision/main");

    // without the snapshot links, HEADs find every etag among the blobs: no GET of a file
    deleteTree(repo().resolve("snapshots"));
    int afterSecond = hub.requests.size();
    Snapshot third = client.pull(TINY, "default");
    assertThat(third.downloaded()).isZero();
    List<FakeHub.Request> recent = hub.requests.subList(afterSecond, hub.requests.size());
    assertThat(recent).filteredOn(r -> r.method().equals("HEAD")).hasSizeGreaterThan(5);
    assertThat(recent)
        .filteredOn(r -> r.method().equals("GET"))
        .extracting(FakeHub.Request::path)
        .containsExactly("/api/models/fixture/tiny/revision/main");
    assertThat(Files.readAllBytes(third.path().resolve("onnx/model.onnx")))
        .isEqualTo(tinyRepo.get("onnx/model.onnx"));
  }

  @Test
  void pull_twoThreadsAtOnce_bothGetTheSameIntactSnapshot() throws Exception {
    FakeHub hub = tinyHub();
    HubClient client = client(hub);
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      java.util.concurrent.Future<Snapshot> a = pool.submit(() -> client.pull(TINY, "default"));
      java.util.concurrent.Future<Snapshot> b = pool.submit(() -> client.pull(TINY, "default"));
      assertThat(a.get().path()).isEqualTo(b.get().path());
      for (String f : NEEDED) {
        assertThat(Files.readAllBytes(a.get().path().resolve(f)))
            .as(f)
            .isEqualTo(Files.readAllBytes(fixture.resolve(f)));
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(cacheEntries()).noneMatch(e -> e.contains("incomplete") || e.contains(".tmp"));
  }

  @Test
  void pull_cutOffMidFile_failsNamingItAndLeavesNoEntry() throws Exception {
    FakeHub hub = tinyHub();
    hub.truncate = "onnx/model.onnx";
    assertThatThrownBy(() -> client(hub).pull(TINY, "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("onnx/model.onnx")
        .hasMessageContaining("fixture/tiny@main")
        .hasMessageContaining("cut off after");
    String sha = FakeHub.sha256(tinyRepo.get("onnx/model.onnx"));
    assertThat(cacheEntries())
        .noneMatch(e -> e.contains(sha) || e.contains("model.onnx") || e.contains("incomplete"))
        .doesNotContain("refs/main");

    hub.truncate = "";
    Snapshot s = client(hub).pull(TINY, "default");
    assertThat(Files.readAllBytes(s.path().resolve("onnx/model.onnx")))
        .isEqualTo(tinyRepo.get("onnx/model.onnx"));
  }

  @Test
  void pull_cutOffSmallFile_failsToo() throws Exception {
    FakeHub hub = tinyHub();
    hub.truncate = "tokenizer.json";
    assertThatThrownBy(() -> client(hub).pull(TINY, "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("tokenizer.json")
        .hasMessageContaining("cut off after");
    assertThat(cacheEntries())
        .noneMatch(e -> e.contains("tokenizer.json") || e.contains("incomplete"));
  }

  @Test
  void pull_removesDayOldAbandonedDownloads_keepsFreshOnes() throws Exception {
    Path blobs = Files.createDirectories(repo().resolve("blobs"));
    Path abandoned = Files.write(blobs.resolve("abc.123.incomplete"), new byte[10]);
    Files.setLastModifiedTime(
        abandoned,
        java.nio.file.attribute.FileTime.from(
            java.time.Instant.now().minus(HubCache.ABANDONED).minusSeconds(60)));
    Path fresh = Files.write(blobs.resolve("def.456.incomplete"), new byte[10]);
    client(tinyHub()).pull(TINY, "default");
    assertThat(abandoned).doesNotExist();
    assertThat(fresh).exists(); // may be another process's download in progress
  }

  @Test
  void pull_wrongChecksum_failsAndLeavesNothing() throws Exception {
    FakeHub hub = tinyHub();
    hub.corrupt = "onnx/model.onnx";
    String sha = FakeHub.sha256(tinyRepo.get("onnx/model.onnx"));
    assertThatThrownBy(() -> client(hub).pull(TINY, "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("onnx/model.onnx")
        .hasMessageContaining("checksum")
        .hasMessageContaining(sha);
    assertThat(cacheEntries())
        .noneMatch(e -> e.contains(sha) || e.contains("model.onnx") || e.contains("incomplete"));
  }

  @Test
  void pull_token_goesAsBearerToEndpointOnly_notToOtherOriginCdn() throws Exception {
    FakeHub hub = tinyHub();
    hub.requiredToken = Optional.of("hf_secret_token");
    HubConfig config = new HubConfig(hub.endpoint(), cache, Optional.of("hf_secret_token"), false);
    Snapshot s = new HubClient(config).pull(TINY, "default");

    assertThat(Files.readAllBytes(s.path().resolve("onnx/model.onnx")))
        .isEqualTo(tinyRepo.get("onnx/model.onnx"));
    assertThat(hub.requests)
        .filteredOn(r -> !r.cdn())
        .isNotEmpty()
        .allMatch(r -> r.authorization().equals(Optional.of("Bearer hf_secret_token")));
    assertThat(hub.requests)
        .filteredOn(FakeHub.Request::cdn)
        .hasSize(1)
        .allMatch(r -> r.authorization().isEmpty());
    assertThat(config.toString()).doesNotContain("hf_secret_token").contains("<set>");
  }

  @Test
  void pull_gatedWithoutToken_explains401() throws Exception {
    FakeHub hub = tinyHub();
    hub.requiredToken = Optional.of("hf_secret_token");
    assertThatThrownBy(() -> client(hub).pull(TINY, "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HTTP 401")
        .hasMessageContaining("HF_TOKEN")
        .hasMessageContaining("restricted");
  }

  @Test
  void pull_otherOriginRedirectForUnverifiableFile_isRefused() throws Exception {
    FakeHub hub = tinyHub();
    hub.redirectRegularElsewhere = "config.json";
    assertThatThrownBy(() -> client(hub).pull(TINY, "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("refusing the redirect of config.json")
        .hasMessageContaining("sha256");
    assertThat(hub.requests).noneMatch(FakeHub.Request::cdn);
    assertThat(cacheEntries()).noneMatch(e -> e.contains("config.json"));
  }

  @Test
  void pull_offlineWithoutCache_failsClearlyWithoutRequests() throws Exception {
    FakeHub hub = tinyHub();
    HubClient offline = new HubClient(client(hub).config().withOffline(true));
    assertThatThrownBy(() -> offline.pull(TINY, "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HF_HUB_OFFLINE")
        .hasMessageContaining("fixture/tiny@main")
        .hasMessageContaining("winnow models pull");
    assertThat(hub.requests).isEmpty();
  }

  @Test
  void pull_unreachableHub_usesCompleteCache_elseFailsNamingTheEndpoint() throws Exception {
    FakeHub hub = tinyHub();
    Snapshot s = client(hub).pull(TINY, "default");
    URI dead;
    try (ServerSocket socket = new ServerSocket(0)) {
      dead = URI.create("http://127.0.0.1:" + socket.getLocalPort());
    }
    HubConfig deadConfig = new HubConfig(dead, cache, Optional.empty(), false);
    assertThat(new HubClient(deadConfig).pull(TINY, "default").path()).isEqualTo(s.path());
    assertThatThrownBy(
            () -> new HubClient(deadConfig).pull(ModelId.parse("other/model"), "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("cannot reach the hub " + dead);
  }

  @Test
  void pull_variant_fetchesOnlyThatOnnx_unknownVariantListsWhatExists() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>(tinyRepo);
    files.put("onnx/model_qint8.onnx", tinyRepo.get("onnx/model.onnx"));
    FakeHub hub = hub(files);
    Snapshot s = client(hub).pull(TINY, "qint8");
    assertThat(s.files()).contains("onnx/model_qint8.onnx").doesNotContain("onnx/model.onnx");
    assertThat(ModelFolder.open(s.path(), "qint8").onnx())
        .isEqualTo(s.path().resolve("onnx/model_qint8.onnx"));

    assertThatThrownBy(() -> client(hub).pull(TINY, "O4"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("onnx/model_O4.onnx")
        .hasMessageContaining("onnx/model_qint8.onnx");
    assertThatThrownBy(() -> client(hub).pull(TINY, "../x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("variant");
  }

  @Test
  void pull_externalData_isFetchedNextToItsOnnx() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>(tinyRepo);
    files.put("onnx/model_ext.onnx", OnnxProto.modelWithExternalData("model_ext.onnx_data"));
    files.put("onnx/model_ext.onnx_data", new byte[256]);
    files.put("onnx/unrelated.onnx_data", new byte[16]);
    FakeHub hub = hub(files);
    Snapshot s = client(hub).pull(TINY, "ext");
    assertThat(s.files()).contains("onnx/model_ext.onnx", "onnx/model_ext.onnx_data");
    assertThat(Files.size(s.path().resolve("onnx/model_ext.onnx_data"))).isEqualTo(256);
    assertThat(hub.requests).noneMatch(r -> r.path().contains("unrelated"));
    assertThat(client(hub).config().offline()).isFalse();
    assertThat(new HubClient(client(hub).config().withOffline(true)).cached(TINY, "ext"))
        .get()
        .extracting(Snapshot::files)
        .isEqualTo(s.files());
  }

  @Test
  void pull_externalDataEscaping_isRefusedBeforeFetchingIt() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>(tinyRepo);
    files.put("onnx/model_evil.onnx", OnnxProto.modelWithExternalData("../../../../etc/passwd"));
    FakeHub hub = hub(files);
    assertThatThrownBy(() -> client(hub).pull(TINY, "evil"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'../../../../etc/passwd'");
    assertThat(hub.requests).noneMatch(r -> r.path().contains("passwd"));
  }

  @Test
  void pull_pickleOnlyRepo_explainsAndFetchesNothing() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>(tinyRepo);
    files.remove("onnx/model.onnx");
    FakeHub hub = hub(files);
    assertThatThrownBy(() -> client(hub).pull(TINY, "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("pytorch_model.bin")
        .hasMessageContaining("never downloaded or loaded")
        .hasMessageContaining("ONNX export");
    assertThat(hub.gets()).hasSize(1); // the listing
  }

  @Test
  void pull_byCommit_writesNoRef_andIsFoundOffline() throws Exception {
    FakeHub hub = tinyHub();
    ModelId pinned = TINY.atRevision(FakeHub.COMMIT);
    client(hub).pull(pinned, "default");
    assertThat(Files.exists(repo().resolve("refs"))).isFalse();
    HubClient offline = new HubClient(client(hub).config().withOffline(true));
    assertThat(offline.cached(pinned, "default")).isPresent();
    assertThat(offline.cached(TINY, "default")).isEmpty(); // main was never resolved
  }

  @Test
  void pull_unknownRevision_says404() throws Exception {
    FakeHub hub = tinyHub();
    assertThatThrownBy(() -> client(hub).pull(TINY.atRevision("v9"), "default"))
        .isInstanceOf(HubException.class)
        .hasMessageContaining("HTTP 404")
        .hasMessageContaining("fixture/tiny@v9");
  }

  // --- resolver ---------------------------------------------------------------------------------

  @Test
  void resolve_existingFolder_isUsedAsIs_urlsAndBadRefsRefused() throws Exception {
    FakeHub hub = tinyHub();
    ModelResolver resolver = new ModelResolver(client(hub));
    assertThat(resolver.resolve(fixture.toString(), "default").root()).isEqualTo(fixture);
    assertThatThrownBy(() -> resolver.resolve("http://evil.example/org/model", "default"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a URL");
    assertThatThrownBy(() -> resolver.resolve("/no/such/folder", "default"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'/no/such/folder' is not an existing folder, nor a hub id");
    assertThat(resolver.resolve("fixture/tiny", "default").onnx())
        .isEqualTo(repo().resolve("snapshots/" + FakeHub.COMMIT + "/onnx/model.onnx"));
    assertThat(hub.requests).isNotEmpty();
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
