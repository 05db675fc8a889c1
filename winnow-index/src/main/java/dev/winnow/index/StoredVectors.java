package dev.winnow.index;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;

/**
 * Reads the stored (L2-normalised) vectors of documents by id, for rescoring a first stage's
 * candidates with the same bi-encoder that filled the index, without embedding them again.
 * Thread-safe, like the index.
 */
public final class StoredVectors {

  private final WinnowIndex index;

  public StoredVectors(WinnowIndex index) {
    this.index = Objects.requireNonNull(index, "index");
  }

  /** The name of the encoder whose vectors the index holds, if it holds any. */
  public Optional<String> model() {
    return index.info().vectorModel();
  }

  /** The vectors of {@code ids}, in order, each empty when missing; one searcher for all. */
  public List<Optional<float[]>> vectors(List<String> ids) {
    Objects.requireNonNull(ids, "ids");
    return index.withSearcher(
        s -> {
          List<LeafReaderContext> leaves = s.getIndexReader().leaves();
          List<Optional<float[]>> out = new ArrayList<>(ids.size());
          for (String id : ids) {
            TopDocs top = s.search(new TermQuery(new Term(WinnowIndex.ID, id)), 1);
            if (top.scoreDocs.length == 0) {
              out.add(Optional.empty());
              continue;
            }
            int doc = top.scoreDocs[0].doc;
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
            out.add(read(leaf, doc - leaf.docBase));
          }
          return out;
        });
  }

  private static Optional<float[]> read(LeafReaderContext leaf, int doc) throws IOException {
    FloatVectorValues values = leaf.reader().getFloatVectorValues(WinnowIndex.VECTOR);
    if (values == null || values.advance(doc) != doc) {
      return Optional.empty();
    }
    return Optional.of(values.vectorValue().clone());
  }
}
