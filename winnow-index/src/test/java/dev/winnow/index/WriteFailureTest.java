package dev.winnow.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.winnow.api.Document;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.tests.store.MockDirectoryWrapper;
import org.junit.jupiter.api.Test;

/**
 * Disk full and random I/O errors under the index (Lucene's {@link MockDirectoryWrapper}): the
 * failed batch is not acknowledged, nothing acknowledged is lost, health turns degraded, and
 * writing resumes from the last commit once the fault is gone.
 */
class WriteFailureTest {

  private static final long SEED = 0x5EED_D15CL;

  /** Acknowledged documents by id: those whose ingest call returned. */
  private final Map<String, Document> acknowledged = new LinkedHashMap<>();

  private int next;

  private List<Document> batch(int n) {
    List<Document> out = new ArrayList<>();
    for (int i = 0; i < n; i++, next++) {
      out.add(
          Document.of(
              "doc-" + next,
              "document " + next + " about fever, aspirin and the weather in spring " + next * 31));
    }
    return out;
  }

  /** Ingests and commits one batch; records it as acknowledged only when the call returned. */
  private void ingest(WinnowIndex index, List<Document> docs) {
    index.ingest(docs.iterator(), Optional.empty(), docs.size(), n -> {});
    docs.forEach(d -> acknowledged.put(d.id(), d));
  }

  private void assertAllAcknowledgedPresent(WinnowIndex index) {
    assertThat(index.size()).isEqualTo(acknowledged.size());
    for (Document d : acknowledged.values()) {
      assertThat(index.get(d.id())).as(d.id()).contains(d);
    }
  }

  private static MockDirectoryWrapper mockDirectory() {
    MockDirectoryWrapper dir =
        new MockDirectoryWrapper(new Random(SEED), new ByteBuffersDirectory());
    // Checked with CheckIndex at the end of each test instead (it needs the randomized runner).
    dir.setCheckIndexOnClose(false);
    return dir;
  }

  @Test
  void ingest_diskFull_failsWithIndexFull_losesNothing_andResumesOnceSpaceIsFreed()
      throws Exception {
    MockDirectoryWrapper dir = mockDirectory();
    try (WinnowIndex index = WinnowIndex.open(dir, "test index")) {
      ingest(index, batch(20));
      dir.setMaxSizeInBytes(dir.sizeInBytes() + 16 * 1024);

      List<Document> failed = List.of();
      for (int round = 0; round < 200 && failed.isEmpty(); round++) {
        List<Document> docs = batch(20);
        try {
          ingest(index, docs);
        } catch (IndexFullException e) {
          failed = docs;
          assertThat(e).hasMessageContaining("disk is full");
        }
      }
      assertThat(failed).as("the 16 KiB quota must run out").isNotEmpty();
      assertThat(acknowledged).hasSizeGreaterThan(20);
      assertThat(index.health().status()).isEqualTo(IndexHealth.Status.DISK_FULL);
      assertThat(index.health().degraded()).isTrue();
      assertAllAcknowledgedPresent(index);
      for (Document d : failed) {
        assertThat(index.get(d.id())).as("unacknowledged " + d.id()).isEmpty();
      }

      // Still full: the next batch fails the same way, and still nothing is lost.
      List<Document> stillFull = batch(200);
      assertThatThrownBy(() -> ingest(index, stillFull)).isInstanceOf(IndexFullException.class);
      assertAllAcknowledgedPresent(index);

      dir.setMaxSizeInBytes(0); // space freed
      ingest(index, failed);
      ingest(index, batch(20));
      assertThat(index.health().status()).isEqualTo(IndexHealth.Status.OK);
      assertThat(index.health().failedWrites()).isEqualTo(2);
      assertAllAcknowledgedPresent(index);
      index.rollback(); // releases the write lock for CheckIndex
      assertThat(IndexIntegrity.check(dir, java.nio.file.Path.of("mock")).clean()).isTrue();
    }
  }

  @Test
  void ingest_randomIoErrors_failedBatchesAreNotAcknowledged_laterBatchesSucceed()
      throws Exception {
    MockDirectoryWrapper dir = mockDirectory();
    int failures = 0;
    try (WinnowIndex index = WinnowIndex.open(dir, "test index")) {
      ingest(index, batch(10));
      for (int round = 0; round < 30; round++) {
        dir.setRandomIOExceptionRate(0.02);
        List<Document> docs = batch(10);
        try {
          ingest(index, docs);
        } catch (IndexWriteException e) {
          failures++;
          assertThat(e).isNotInstanceOf(IndexFullException.class);
          assertThat(index.health().status()).isEqualTo(IndexHealth.Status.WRITE_FAILED);
          assertThat(index.health().lastError()).isPresent();
        }
        dir.setRandomIOExceptionRate(0);
        // Reads keep answering from the last commit while writes fail.
        assertAllAcknowledgedPresent(index);
        ingest(index, batch(10));
        assertThat(index.health().degraded()).isFalse();
      }
      assertAllAcknowledgedPresent(index);
      index.rollback(); // releases the write lock for CheckIndex
      assertThat(IndexIntegrity.check(dir, java.nio.file.Path.of("mock")).clean()).isTrue();
    }
    assertThat(failures).as("a 2% error rate per write must fail some batches").isPositive();
    System.out.printf(
        "random I/O errors: %d of 30 batches failed and were rolled back; %d documents"
            + " acknowledged, all present%n",
        failures, acknowledged.size());
  }

  @Test
  void isDiskFull_readsTheCauseChain() {
    var enospc =
        new java.nio.file.FileSystemException("/idx/_0.cfs", null, "No space left on device");
    assertThat(WinnowIndex.isDiskFull(new java.io.IOException("wrapped", enospc))).isTrue();
    assertThat(WinnowIndex.isDiskFull(new java.io.IOException("Disk quota exceeded"))).isTrue();
    assertThat(WinnowIndex.isDiskFull(new java.io.IOException("Input/output error"))).isFalse();
  }
}
