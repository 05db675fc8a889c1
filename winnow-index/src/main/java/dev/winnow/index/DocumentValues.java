package dev.winnow.index;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Document;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.util.BytesRef;

/**
 * Reads documents back from the index. Id, title and text live in binary doc values, which Lucene 9
 * keeps uncompressed and memory-mapped, so turning 100 hits into ids and texts costs a few
 * microseconds each; stored fields (LZ4 blocks, about 25 µs of decompression per document read)
 * hold only the metadata, read by {@link WinnowIndex#get} alone.
 */
final class DocumentValues {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DocumentValues() {}

  /**
   * Scored candidates for the given global doc ids ({@code scores[i]} belongs to {@code docs[i]}),
   * with id and flat text ({@link Document#fullText()}); in doc-id order.
   */
  static List<Bm25Retriever.Candidate> candidates(IndexReader reader, int[] docs, double[] scores)
      throws IOException {
    Integer[] order = new Integer[docs.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> docs[i]));
    List<Bm25Retriever.Candidate> out = new ArrayList<>(docs.length);
    Cursor cursor = new Cursor(reader);
    for (int i : order) {
      cursor.seek(docs[i]);
      String title = cursor.title();
      String text = cursor.text();
      out.add(
          new Bm25Retriever.Candidate(
              cursor.id(), title.isEmpty() ? text : title + " " + text, scores[i]));
    }
    return out;
  }

  /** The whole document at global doc id {@code doc}, metadata included. */
  static Document document(IndexReader reader, int doc) throws IOException {
    Cursor cursor = new Cursor(reader);
    cursor.seek(doc);
    String meta = reader.storedFields().document(doc).get(WinnowIndex.METADATA);
    Map<String, String> metadata =
        meta == null
            ? Map.of()
            : JSON.readValue(meta, new TypeReference<TreeMap<String, String>>() {});
    return new Document(cursor.id(), cursor.title(), cursor.text(), metadata);
  }

  /** Walks the doc values of ascending global doc ids, leaf by leaf. */
  private static final class Cursor {
    private final List<LeafReaderContext> leaves;
    private int leaf = -1;
    private int doc;
    private BinaryDocValues ids;
    private BinaryDocValues titles;
    private BinaryDocValues texts;
    private boolean hasTitle;
    private boolean hasText;

    Cursor(IndexReader reader) {
      this.leaves = reader.leaves();
    }

    void seek(int globalDoc) throws IOException {
      int l = ReaderUtil.subIndex(globalDoc, leaves);
      LeafReaderContext ctx = leaves.get(l);
      if (l != leaf) {
        leaf = l;
        ids = DocValues.getBinary(ctx.reader(), WinnowIndex.ID);
        titles = DocValues.getBinary(ctx.reader(), WinnowIndex.TITLE);
        texts = DocValues.getBinary(ctx.reader(), WinnowIndex.TEXT);
      }
      doc = globalDoc - ctx.docBase;
      if (!ids.advanceExact(doc)) {
        throw new IllegalStateException("document " + globalDoc + " has no id doc value");
      }
      hasTitle = titles.advanceExact(doc);
      hasText = texts.advanceExact(doc);
    }

    String id() throws IOException {
      return ids.binaryValue().utf8ToString();
    }

    String title() throws IOException {
      return hasTitle ? utf8(titles.binaryValue()) : "";
    }

    String text() throws IOException {
      return hasText ? utf8(texts.binaryValue()) : "";
    }

    private static String utf8(BytesRef b) {
      return b.utf8ToString();
    }
  }
}
