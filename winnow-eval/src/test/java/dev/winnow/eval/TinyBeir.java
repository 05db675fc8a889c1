package dev.winnow.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A four-document BEIR folder written into a test's temporary directory. */
final class TinyBeir {

  private TinyBeir() {}

  /**
   * With BM25 the test split ranks, for q1: d1, d2 (both relevant); q2: d3 (grade 2); q3: d4, and
   * q3's second relevant document "gone" is not in the corpus. So nDCG@10 = (1 + 1 + 1 / (1 + 1 /
   * log2 3)) / 3 and R@100 = (1 + 1 + 1/2) / 3.
   */
  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir.resolve("qrels"));
    Files.writeString(
        dir.resolve("corpus.jsonl"),
        String.join(
            "\n",
            "{\"_id\": \"d1\", \"title\": \"Aspirin\", \"text\": \"Aspirin reduces fever and pain.\"}",
            "{\"_id\": \"d2\", \"title\": \"\", \"text\": \"Fever is a common symptom of infection.\"}",
            "{\"_id\": \"d3\", \"title\": \"Statins\", \"text\": \"Statins lower cholesterol.\"}",
            "{\"_id\": \"d4\", \"title\": \"Vitamin C\", \"text\": \"Vitamin C does not cure colds.\"}",
            ""));
    Files.writeString(
        dir.resolve("queries.jsonl"),
        String.join(
            "\n",
            "{\"_id\": \"q1\", \"text\": \"aspirin reduce fever\"}",
            "{\"_id\": \"q2\", \"text\": \"cholesterol statins\"}",
            "{\"_id\": \"q3\", \"text\": \"vitamin colds\"}",
            "{\"_id\": \"q4\", \"text\": \"a training query about pain\"}",
            ""));
    Files.writeString(
        dir.resolve("qrels/test.tsv"),
        "query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t1\nq2\td3\t2\nq3\td4\t1\nq3\tgone\t1\n");
    Files.writeString(dir.resolve("qrels/train.tsv"), "query-id\tcorpus-id\tscore\nq4\td1\t1\n");
    return dir;
  }

  static final double NDCG_10 = (2 + 1 / (1 + 1 / (Math.log(3) / Math.log(2)))) / 3;
  static final double RECALL_100 = 2.5 / 3;
}
