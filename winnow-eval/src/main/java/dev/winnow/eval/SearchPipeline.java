package dev.winnow.eval;

import dev.winnow.api.Hit;
import dev.winnow.api.Query;
import java.util.List;

/**
 * What an evaluation runs for each query: a first stage and any later stages, returning at most
 * {@code k} hits in {@link Hit#ORDER} and recording each stage's time in the timer (stage names
 * such as {@code retrieve}, {@code encode}, {@code rerank}).
 *
 * <p>Implementations are built by {@link Pipelines} from a {@link PipelineSpec}; close releases
 * what they opened (models; never the index, which the caller owns). Evaluation calls {@link
 * #search} from one thread.
 */
public interface SearchPipeline extends AutoCloseable {

  List<Hit> search(Query query, int k, StageTimer timer);

  /** A one-line description for reports, e.g. {@code bm25(k1=0.9,b=0.4)}. */
  String description();

  @Override
  default void close() {}
}
