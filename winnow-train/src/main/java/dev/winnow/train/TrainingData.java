package dev.winnow.train;

import dev.winnow.api.Document;
import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import dev.winnow.eval.BeirDataset;
import dev.winnow.eval.IndexCache;
import dev.winnow.index.WinnowIndex;
import dev.winnow.onnx.hub.ModelResolver;
import dev.winnow.pipeline.CascadeSpec;
import dev.winnow.pipeline.Cascades;
import dev.winnow.pipeline.Encoders;
import dev.winnow.pipeline.Pipeline;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Consumer;

/**
 * What a training run reads: the judged queries of one split, split by seed into fit and validation
 * queries, each with the first stage's candidates. Queries without a positive judgment are skipped
 * and counted. Only the split named is read; the corpus is indexed through the evaluation cache, so
 * training and evaluation share one index.
 */
record TrainingData(
    List<TrainingQuery> fit, List<TrainingQuery> validation, int skippedWithoutPositives) {

  /** A query, its positives (id to text), and the first stage's candidates (positives included). */
  record TrainingQuery(
      Query query,
      Map<String, String> positives,
      List<Hit> candidates,
      Map<String, Integer> judged) {

    /** Candidates that are not judged relevant, in first-stage order. */
    List<Hit> negatives() {
      List<Hit> out = new ArrayList<>();
      for (Hit h : candidates) {
        if (judged.getOrDefault(h.id(), 0) <= 0) {
          out.add(h);
        }
      }
      return out;
    }
  }

  static TrainingData load(
      Path dataset,
      String split,
      String firstStage,
      int depth,
      double validationFraction,
      long seed,
      int limitQueries,
      Consumer<String> log) {
    if (split.equalsIgnoreCase("test")) {
      throw new IllegalArgumentException(
          "--split test: training never reads a test split (its figures would mean nothing);"
              + " train on train (or dev) and evaluate on test once");
    }
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new IllegalArgumentException(
          "--validation-fraction must be in (0, 1), got " + validationFraction);
    }
    if (!CascadeSpec.RETRIEVERS.contains(firstStage) || firstStage.equals("dense")) {
      throw new IllegalArgumentException(
          "--first-stage must be bm25 or hybrid, got '" + firstStage + "'");
    }
    BeirDataset data = BeirDataset.load(dataset, split);
    List<Query> queries = new ArrayList<>();
    int skipped = 0;
    for (Query q : data.queries()) {
      boolean positive = data.qrels().judgments(q.id()).values().stream().anyMatch(rel -> rel > 0);
      if (positive) {
        queries.add(q);
      } else {
        skipped++;
      }
    }
    if (skipped > 0) {
      log.accept(skipped + " queries of split " + split + " have no positive judgment: skipped");
    }
    if (limitQueries > 0 && limitQueries < queries.size()) {
      queries = new ArrayList<>(queries.subList(0, limitQueries));
    }
    if (queries.size() < 2) {
      throw new IllegalArgumentException(
          "split "
              + split
              + " of "
              + dataset
              + " has "
              + queries.size()
              + " queries with a positive judgment; training needs at least 2");
    }
    List<Query> shuffled = new ArrayList<>(queries);
    shuffled.sort(Comparator.comparing(Query::id));
    Collections.shuffle(shuffled, new Random(seed));
    int nValidation = Math.max(1, (int) Math.round(validationFraction * shuffled.size()));
    List<Query> validation = shuffled.subList(0, nValidation);
    List<Query> fit = shuffled.subList(nValidation, shuffled.size());

    Optional<dev.winnow.api.Encoder> encoder =
        firstStage.equals("hybrid") ? Optional.of(Encoders.open("bge-small")) : Optional.empty();
    log.accept("indexing " + data.corpus() + " for the " + firstStage + " first stage (cached)");
    IndexCache.Opened opened =
        IndexCache.openOrBuild(IndexCache.defaultRoot(), data.corpus(), encoder, n -> {});
    try (WinnowIndex index = opened.index();
        Cascades.Opened cascade =
            Cascades.open(
                firstStage.equals("bm25")
                    ? CascadeSpec.bm25()
                    : CascadeSpec.parse("hybrid", Map.of()),
                index,
                depth,
                depth,
                ModelResolver.fromEnvironment(),
                log)) {
      Pipeline pipeline = cascade.pipeline();
      return new TrainingData(
          withCandidates(fit, data, index, pipeline),
          withCandidates(validation, data, index, pipeline),
          skipped);
    } finally {
      encoder.ifPresent(dev.winnow.api.Encoder::close);
    }
  }

  private static List<TrainingQuery> withCandidates(
      List<Query> queries, BeirDataset data, WinnowIndex index, Pipeline pipeline) {
    List<TrainingQuery> out = new ArrayList<>();
    for (Query q : queries) {
      Map<String, Integer> judged = data.qrels().judgments(q.id());
      Map<String, String> positives = new LinkedHashMap<>();
      judged.entrySet().stream()
          .filter(e -> e.getValue() > 0)
          .map(Map.Entry::getKey)
          .sorted()
          .forEach(
              id -> index.get(id).map(Document::fullText).ifPresent(t -> positives.put(id, t)));
      if (positives.isEmpty()) {
        continue;
      }
      out.add(new TrainingQuery(q, positives, pipeline.search(q).hits(), judged));
    }
    return out;
  }
}
