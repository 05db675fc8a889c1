package dev.winnow.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.api.Document;
import dev.winnow.api.Encoder;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexOptions;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.BytesRef;

/**
 * An embedded Lucene index of {@link Document}s on disk (or in memory for tests and demos).
 *
 * <p><b>Layout.</b> Each document stores its id, title, text and metadata (as JSON) and indexes
 * title and text together ("flat", joined by a newline as Anserini's {@code BeirFlatCollection}
 * does) in one field analysed by {@link IndexAnalysis}, with term frequencies and BM25 length
 * norms. Optionally each document carries one float vector (L2-normalised on the way in, HNSW
 * graph, dot-product similarity = cosine); an index either has vectors for all its documents or for
 * none.
 *
 * <p><b>Durability.</b> {@link #add} and {@link #delete} are buffered and invisible to searches;
 * {@link #commit} makes everything buffered so far durable and visible, and only then has anything
 * succeeded. {@link #rollback} and {@link #close} discard what was not committed. {@link #ingest}
 * adds a whole corpus and commits once, rolling back everything on any failure, so a malformed line
 * never leaves half a corpus behind. A new index gets an empty first commit at creation, so a crash
 * during the first real commit leaves a readable (empty) index.
 *
 * <p><b>Integrity.</b> Opening verifies the last commit: {@code segments_N} is read whole with its
 * checksum, every segment it names is opened (a missing file fails here), and every segment file's
 * CRC-32 footer is checked against its contents ({@code LeafReader.checkIntegrity}, a sequential
 * read of the whole index: about a second per GB from a warm page cache, milliseconds for corpora
 * like SciFact). Any mismatch throws {@link IndexCorruptException} and the index is not served. The
 * deeper structural checks of Lucene's {@code CheckIndex} (postings, norms, vectors decoded one by
 * one) cost several times more and are left to {@link IndexIntegrity#check}.
 *
 * <p><b>Write failures.</b> An I/O error while adding, deleting or committing (disk full, a failing
 * device) rolls the writer back to the last commit, throws {@link IndexFullException} or {@link
 * IndexWriteException}, and turns {@link #health()} degraded until a later commit succeeds; the
 * next write opens a fresh writer from the last commit. Nothing committed is touched. Because the
 * rollback also discards what other threads added and have not yet committed, callers that
 * acknowledge writes to clients use {@link #ingest}, which adds and commits under one lock.
 *
 * <p><b>Ids.</b> Adding a document whose id is already present replaces it (Lucene {@code
 * updateDocument} on the id term), also within one batch: the last one wins. Until segments merge,
 * BM25's collection statistics still count replaced and deleted documents, as Lucene always does.
 *
 * <p><b>Format.</b> Every commit carries {@link IndexInfo} in its user data ({@code winnow.format},
 * the analysis name, vector dimension and model). Opening refuses a directory that holds other
 * files, a Lucene index that Winnow did not write, one of a newer format and one analysed
 * differently, each with a message saying which.
 *
 * <p><b>Thread-safety.</b> Instances are thread-safe and meant to be long-lived. Searches and
 * {@link #get} run concurrently through a {@link SearcherManager} over the last commit and never
 * block on writers. Mutations ({@code add}, {@code delete}, {@code commit}, {@code rollback},
 * {@code ingest}) are serialised on one lock; a commit makes durable what every thread added before
 * it. The index writer (and Lucene's {@code write.lock}) is taken on the first mutation, or at once
 * by {@link #claimWrites}, so several processes may open one index for reading while at most one
 * writes.
 */
public final class WinnowIndex implements Closeable {

  static final String ID = "id";
  static final String TITLE = "title";
  static final String TEXT = "text";
  static final String METADATA = "metadata";
  static final String CONTENTS = "contents";
  static final String VECTOR = "vector";

  /** BM25 parameters of Anserini's BEIR regressions; also the index-time similarity. */
  static final float DEFAULT_K1 = 0.9f;

  static final float DEFAULT_B = 0.4f;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final FieldType CONTENTS_TYPE = contentsType();

  private final Directory directory;
  private final String where;
  private final Analyzer analyzer = IndexAnalysis.english();
  private final SearcherManager searchers;
  private final Object writeLock = new Object();

  private volatile IndexInfo committed;
  private IndexInfo pending; // guarded by writeLock
  private IndexWriter writer; // guarded by writeLock; null until the first mutation
  private boolean claimed; // guarded by writeLock: claimWrites was called

  /**
   * Whether adds or deletes are buffered since the last commit or rollback (guarded by writeLock).
   * Not {@code IndexWriter.hasUncommittedChanges()}: a background merge finishing after a commit
   * makes that true although no caller has anything pending.
   */
  private boolean buffered;

  private volatile boolean closed;
  private volatile IndexHealth health =
      new IndexHealth(IndexHealth.Status.OK, Optional.empty(), Instant.now(), 0);

  private WinnowIndex(Directory directory, String where) throws IOException {
    this.directory = directory;
    this.where = where;
    try {
      this.committed = readInfo(directory, where);
      this.searchers = new SearcherManager(directory, null);
    } catch (CorruptIndexException | NoSuchFileException | FileNotFoundException | EOFException e) {
      throw new IndexCorruptException(where, e.toString(), e);
    }
    this.pending = committed;
    try {
      verifyChecksums();
    } catch (IOException | RuntimeException e) {
      searchers.close();
      throw e;
    }
  }

  /** Checks every segment file of the last commit against its CRC-32 footer. */
  private void verifyChecksums() throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
        try {
          leaf.reader().checkIntegrity();
        } catch (CorruptIndexException | NoSuchFileException | EOFException e) {
          throw new IndexCorruptException(where, e.toString(), e);
        }
      }
    } finally {
      searchers.release(s);
    }
  }

  /**
   * Opens the Winnow index in {@code dir}, creating it (with an empty first commit) when {@code
   * dir} is absent or empty. Refuses a directory holding anything else.
   */
  public static WinnowIndex open(Path dir) {
    Objects.requireNonNull(dir, "dir");
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("index path " + dir + " is a file, not a directory");
    }
    try {
      Files.createDirectories(dir);
      FSDirectory fs = FSDirectory.open(dir);
      try {
        if (!DirectoryReader.indexExists(fs)) {
          refuseForeignFiles(dir);
          createEmpty(fs, "index " + dir);
        }
        return new WinnowIndex(fs, "index " + dir);
      } catch (IOException | RuntimeException e) {
        fs.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index " + dir, e);
    }
  }

  /** Opens an index that must already exist in {@code dir}; never creates one. */
  public static WinnowIndex openExisting(Path dir) {
    Objects.requireNonNull(dir, "dir");
    try {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("no index at " + dir + ": the directory does not exist");
      }
      FSDirectory fs = FSDirectory.open(dir);
      try {
        if (!DirectoryReader.indexExists(fs)) {
          throw new IllegalArgumentException(
              "no index at " + dir + ": it holds no Lucene commit (create one with winnow index)");
        }
        return new WinnowIndex(fs, "index " + dir);
      } catch (IOException | RuntimeException e) {
        fs.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open index " + dir, e);
    }
  }

  /**
   * Opens (creating when empty) the index in any Lucene {@link Directory}, named {@code where} in
   * messages; the index closes the directory. For tests that put a fault-injecting directory
   * (Lucene's {@code MockDirectoryWrapper}) under the index, and for embedders that bring their
   * own.
   */
  public static WinnowIndex open(Directory directory, String where) {
    try {
      try {
        if (!DirectoryReader.indexExists(directory)) {
          createEmpty(directory, where);
        }
        return new WinnowIndex(directory, where);
      } catch (IOException | RuntimeException e) {
        directory.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open " + where, e);
    }
  }

  /** A fresh index held in memory: for tests, demos and small throwaway corpora. */
  public static WinnowIndex inMemory() {
    try {
      Directory dir = new ByteBuffersDirectory();
      createEmpty(dir, "in-memory index");
      return new WinnowIndex(dir, "in-memory index");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an in-memory index", e);
    }
  }

  /** What the last commit says about this index. */
  public IndexInfo info() {
    return committed;
  }

  /** Whether writes are succeeding; degraded from a failed write until the next good commit. */
  public IndexHealth health() {
    return health;
  }

  /** The number of documents visible to searches (as of the last commit). */
  public int size() {
    return withSearcher(s -> s.getIndexReader().numDocs());
  }

  /**
   * Buffers documents without vectors. Refused when the index holds vectors (they would be
   * unreachable by vector search).
   */
  public void add(List<Document> documents) {
    addChecked(documents, null, Optional.empty());
  }

  /**
   * Buffers documents with one vector each ({@code vectors[i]} belongs to {@code
   * documents.get(i)}), L2-normalised before storing. All vectors of an index have one dimension,
   * fixed by the first; a vector with a non-finite component or norm 0 is refused.
   */
  public void add(List<Document> documents, float[][] vectors) {
    Objects.requireNonNull(vectors, "vectors");
    addChecked(documents, vectors, Optional.empty());
  }

  /**
   * Buffers documents with vectors from the named encoder; the name is recorded so that searches
   * can check they encode queries with the same model.
   */
  public void add(List<Document> documents, float[][] vectors, String vectorModel) {
    Objects.requireNonNull(vectors, "vectors");
    addChecked(documents, vectors, Optional.of(vectorModel));
  }

  private void addChecked(List<Document> documents, float[][] vectors, Optional<String> model) {
    Objects.requireNonNull(documents, "documents");
    synchronized (writeLock) {
      ensureOpen();
      List<org.apache.lucene.document.Document> docs = new ArrayList<>(documents.size());
      IndexInfo next = checkVectors(documents, vectors, model);
      for (int i = 0; i < documents.size(); i++) {
        Document d = Objects.requireNonNull(documents.get(i), "documents[" + i + "]");
        docs.add(toLucene(d, vectors == null ? null : normalised(vectors[i], d.id(), next)));
      }
      write(
          "add documents to",
          w -> {
            for (int i = 0; i < docs.size(); i++) {
              w.updateDocument(new Term(ID, documents.get(i).id()), docs.get(i));
            }
            return null;
          });
      pending = next;
      buffered = true;
    }
  }

  private IndexInfo checkVectors(List<Document> documents, float[][] vectors, Optional<String> m) {
    boolean hasDocs = documentCountIncludingPending() > 0;
    if (vectors == null) {
      if (pending.vectorDimension().isPresent() && !documents.isEmpty()) {
        throw new IllegalArgumentException(
            where
                + " holds vectors of dimension "
                + pending.vectorDimension().getAsInt()
                + "; documents added without vectors would be unreachable by vector search");
      }
      return pending;
    }
    if (vectors.length != documents.size()) {
      throw new IllegalArgumentException(
          "vectors must have one row per document: got "
              + vectors.length
              + " vectors for "
              + documents.size()
              + " documents");
    }
    if (documents.isEmpty()) {
      return pending;
    }
    if (pending.vectorDimension().isEmpty() && hasDocs) {
      throw new IllegalArgumentException(
          where + " holds documents without vectors; re-index everything with vectors instead");
    }
    int dim = pending.vectorDimension().orElse(vectors[0] == null ? 0 : vectors[0].length);
    if (dim < 1) {
      throw new IllegalArgumentException("vector dimension must be >= 1, got " + dim);
    }
    if (pending.vectorModel().isPresent() && m.isPresent() && !pending.vectorModel().equals(m)) {
      throw new IllegalArgumentException(
          where
              + " holds vectors from '"
              + pending.vectorModel().get()
              + "', refusing vectors from '"
              + m.get()
              + "'");
    }
    Optional<String> model = pending.vectorModel().isPresent() ? pending.vectorModel() : m;
    return pending.withVectors(dim, model);
  }

  private static float[] normalised(float[] v, String id, IndexInfo info) {
    int dim = info.vectorDimension().getAsInt();
    if (v == null || v.length != dim) {
      throw new IllegalArgumentException(
          "vector of document '"
              + id
              + "' must have dimension "
              + dim
              + ", got "
              + (v == null ? "none" : Integer.toString(v.length)));
    }
    return Vectors.normalise(v, "vector of document '" + id + "'");
  }

  /** Buffers the deletion of the document with this id (a no-op when there is none). */
  public void delete(String id) {
    Objects.requireNonNull(id, "id");
    synchronized (writeLock) {
      ensureOpen();
      write("delete '" + id + "' from", w -> w.deleteDocuments(new Term(ID, id)));
      buffered = true;
    }
  }

  /**
   * Makes everything buffered durable (Lucene commit with the index info as user data), then makes
   * it visible to searches. Returns the number of documents now visible.
   */
  public int commit() {
    synchronized (writeLock) {
      ensureOpen();
      if (writer != null) {
        IndexInfo next = pending;
        write(
            "commit",
            w -> {
              w.setLiveCommitData(next.toUserData().entrySet());
              return w.commit();
            });
        committed = next;
        buffered = false;
        if (health.degraded()) {
          health =
              new IndexHealth(
                  IndexHealth.Status.OK, health.lastError(), Instant.now(), health.failedWrites());
        }
        try {
          searchers.maybeRefreshBlocking();
        } catch (IOException e) {
          throw new UncheckedIOException(
              "committed " + where + " durably but cannot refresh its searchers", e);
        }
      }
      return size();
    }
  }

  /**
   * Makes the latest commit in the directory visible to searches, including one made by another
   * process or another {@code WinnowIndex} on the same directory; this instance's own commits are
   * visible without it. Also reloads the {@link IndexInfo}.
   */
  public void refresh() {
    ensureOpen();
    try {
      searchers.maybeRefreshBlocking();
      IndexInfo latest = readInfo(directory, where);
      synchronized (writeLock) {
        committed = latest;
        if (!buffered) {
          pending = latest;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot refresh " + where, e);
    }
  }

  /** Where a claiming process writes who it is, for the message of the next one refused. */
  static final String HOLDER_FILE = "winnow-writer.txt";

  /**
   * Takes this index's writer (Lucene's {@code write.lock}) now rather than at the first mutation,
   * and keeps it until {@link #close}, also across rollbacks: a long-lived writer (a server) calls
   * this at start so that a second one refuses to start instead of serving stale reads and failing
   * every write. {@code holder} describes this process ({@code "pid 42 on host, winnow serve"}); it
   * is written beside the lock and named to whoever is refused next.
   *
   * @throws IllegalStateException when another process (or another instance) holds the lock, naming
   *     the holder when it left its description
   */
  public void claimWrites(String holder) {
    Objects.requireNonNull(holder, "holder");
    synchronized (writeLock) {
      ensureOpen();
      try {
        writer();
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            where
                + " is already being written by "
                + holderOf(directory).orElse("another process (it did not say which)")
                + " (Lucene write.lock is held); stop that process or use another index directory",
            e.getCause());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot take the writer of " + where, e);
      }
      claimed = true;
      try {
        try {
          directory.deleteFile(HOLDER_FILE);
        } catch (NoSuchFileException | FileNotFoundException absent) {
          // first claim
        }
        try (IndexOutput out = directory.createOutput(HOLDER_FILE, IOContext.DEFAULT)) {
          out.writeString(holder);
        }
      } catch (IOException e) {
        // The lock is what excludes the next writer; the description only helps its message.
      }
    }
  }

  private static Optional<String> holderOf(Directory directory) {
    try (IndexInput in = directory.openInput(HOLDER_FILE, IOContext.READONCE)) {
      return Optional.of(in.readString());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Discards everything added or deleted since the last commit. */
  public void rollback() {
    synchronized (writeLock) {
      ensureOpen();
      rollbackWriter();
    }
  }

  /**
   * Adds every document from {@code documents} in batches of {@code batchSize} (encoding each batch
   * with {@code encoder} when given, vectors over {@link Document#fullText()}), then commits once.
   * On any failure (a malformed corpus line, an encoder error, I/O) everything from this call is
   * rolled back and the exception rethrown: the index is as it was before. Refused while
   * uncommitted changes are pending, since a rollback would discard them too. {@code progress}
   * hears the number of documents added so far after each batch.
   */
  public IngestResult ingest(
      Iterator<? extends Document> documents,
      Optional<Encoder> encoder,
      int batchSize,
      LongConsumer progress) {
    return ingest(documents, encoder, batchSize, progress, "the input");
  }

  /**
   * {@link #ingest(Iterator, Optional, int, LongConsumer)} over a JSON Lines corpus file or a
   * directory of them ({@link CorpusReader#open}).
   */
  public IngestResult ingest(
      Path corpus, Optional<Encoder> encoder, int batchSize, LongConsumer progress) {
    try (CorpusReader reader = CorpusReader.open(corpus)) {
      return ingest(reader, encoder, batchSize, progress, "corpus " + corpus);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read corpus " + corpus, e);
    }
  }

  private IngestResult ingest(
      Iterator<? extends Document> documents,
      Optional<Encoder> encoder,
      int batchSize,
      LongConsumer progress,
      String source) {
    Objects.requireNonNull(documents, "documents");
    Objects.requireNonNull(encoder, "encoder");
    Objects.requireNonNull(progress, "progress");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    synchronized (writeLock) {
      ensureOpen();
      if (buffered) {
        throw new IllegalStateException(
            where + " has uncommitted changes; commit or roll them back before ingesting");
      }
      long start = System.nanoTime();
      long read = 0;
      try {
        List<Document> batch = new ArrayList<>(batchSize);
        while (documents.hasNext()) {
          batch.add(documents.next());
          if (batch.size() == batchSize) {
            read += addBatch(batch, encoder);
            progress.accept(read);
          }
        }
        read += addBatch(batch, encoder);
        if (read == 0) {
          throw new IllegalArgumentException(source + " holds no documents; nothing was indexed");
        }
        progress.accept(read);
        int size = commit();
        return new IngestResult(read, size, Duration.ofNanos(System.nanoTime() - start));
      } catch (RuntimeException | Error e) {
        try {
          rollbackWriter();
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }
  }

  private int addBatch(List<Document> batch, Optional<Encoder> encoder) {
    if (batch.isEmpty()) {
      return 0;
    }
    int n = batch.size();
    if (encoder.isPresent()) {
      Encoder e = encoder.get();
      float[][] vectors = e.encodeDocuments(batch.stream().map(Document::fullText).toList());
      addChecked(batch, vectors, Optional.of(e.name()));
    } else {
      addChecked(batch, null, Optional.empty());
    }
    batch.clear();
    return n;
  }

  /** The committed document with this id, if any. */
  public Optional<Document> get(String id) {
    Objects.requireNonNull(id, "id");
    return withSearcher(
        s -> {
          TopDocs top = s.search(new TermQuery(new Term(ID, id)), 1);
          if (top.scoreDocs.length == 0) {
            return Optional.empty();
          }
          return Optional.of(DocumentValues.document(s.getIndexReader(), top.scoreDocs[0].doc));
        });
  }

  /** Whether a committed document has this id (cheaper than {@link #get}: no stored fields). */
  public boolean contains(String id) {
    Objects.requireNonNull(id, "id");
    return withSearcher(s -> s.count(new TermQuery(new Term(ID, id))) > 0);
  }

  /** Closes the index; anything not committed is discarded. */
  @Override
  public void close() {
    synchronized (writeLock) {
      if (closed) {
        return;
      }
      closed = true;
      try (Directory d = directory;
          SearcherManager s = searchers) {
        if (writer != null) {
          writer.rollback();
          writer = null;
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot close " + where, e);
      }
    }
  }

  @Override
  public String toString() {
    return where;
  }

  // ---- package-private: what the retrievers in this package read ----

  Analyzer analyzer() {
    return analyzer;
  }

  String where() {
    return where;
  }

  /** A function of a searcher over the last commit that may throw {@link IOException}. */
  interface SearcherFunction<T> {
    T apply(IndexSearcher searcher) throws IOException;
  }

  /** Runs {@code f} on an acquired searcher and releases it, turning I/O errors unchecked. */
  <T> T withSearcher(SearcherFunction<T> f) {
    ensureOpen();
    IndexSearcher s;
    try {
      s = searchers.acquire();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot search " + where, e);
    }
    try {
      return f.apply(s);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot search " + where, e);
    } finally {
      try {
        searchers.release(s);
      } catch (IOException e) {
        // Releasing only decrements a reference count; an error here means the reader is gone.
        throw new UncheckedIOException("cannot release searcher of " + where, e);
      }
    }
  }

  // ---- internals ----

  private static FieldType contentsType() {
    FieldType t = new FieldType();
    t.setIndexOptions(IndexOptions.DOCS_AND_FREQS);
    t.setTokenized(true);
    t.setStored(false);
    t.setOmitNorms(false);
    t.freeze();
    return t;
  }

  private static org.apache.lucene.document.Document toLucene(Document d, float[] vector) {
    org.apache.lucene.document.Document doc = new org.apache.lucene.document.Document();
    doc.add(new StringField(ID, d.id(), Field.Store.NO));
    doc.add(new BinaryDocValuesField(ID, new BytesRef(d.id())));
    if (!d.title().isEmpty()) {
      doc.add(new BinaryDocValuesField(TITLE, new BytesRef(d.title())));
    }
    doc.add(new BinaryDocValuesField(TEXT, new BytesRef(d.text())));
    if (!d.metadata().isEmpty()) {
      try {
        doc.add(new StoredField(METADATA, JSON.writeValueAsString(new TreeMap<>(d.metadata()))));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot serialise metadata of '" + d.id() + "'", e);
      }
    }
    doc.add(new Field(CONTENTS, flat(d), CONTENTS_TYPE));
    if (vector != null) {
      doc.add(new KnnFloatVectorField(VECTOR, vector, VectorSimilarityFunction.DOT_PRODUCT));
    }
    return doc;
  }

  /** Title and text as Anserini's BeirFlatCollection joins them (a newline in between). */
  static String flat(Document d) {
    return d.title().isEmpty() ? d.text() : d.title() + "\n" + d.text();
  }

  private int documentCountIncludingPending() {
    if (writer != null) {
      return writer.getDocStats().numDocs;
    }
    return size();
  }

  /** One step of a mutation on the writer, run while holding {@code writeLock}. */
  private interface WriterAction {
    Object run(IndexWriter w) throws IOException;
  }

  /**
   * Runs {@code action} on the writer (opening one from the last commit when needed). An I/O
   * failure, or a writer that closed itself after one (Lucene's "tragic" exceptions, as when a
   * background merge hits a full disk), rolls back to the last commit and throws {@link
   * IndexWriteException} or {@link IndexFullException}.
   */
  private void write(String what, WriterAction action) {
    try {
      action.run(writer());
    } catch (IOException e) {
      throw writeFailed(what, e);
    } catch (IllegalStateException e) {
      // After a tragic failure (say a background merge hit a full disk) the writer refuses work:
      // AlreadyClosedException (an IllegalStateException) from most calls, a plain
      // IllegalStateException from commit.
      Throwable tragic = writer == null ? null : writer.getTragicException();
      if (tragic == null) {
        throw e;
      }
      throw writeFailed(
          what, tragic instanceof IOException io ? io : new IOException(tragic.toString(), e));
    }
  }

  private IndexWriteException writeFailed(String what, IOException e) {
    try {
      if (writer != null) {
        writer.rollback();
      }
    } catch (IOException | RuntimeException suppressed) {
      e.addSuppressed(suppressed);
    } finally {
      writer = null;
      pending = committed;
      buffered = false;
    }
    boolean full = isDiskFull(e);
    String message =
        "cannot "
            + what
            + " "
            + where
            + (full ? ": the disk is full (" : ": I/O error (")
            + e.getMessage()
            + "); nothing of this write was committed, earlier commits are intact";
    health =
        new IndexHealth(
            full ? IndexHealth.Status.DISK_FULL : IndexHealth.Status.WRITE_FAILED,
            Optional.of(message),
            Instant.now(),
            health.failedWrites() + 1);
    return full ? new IndexFullException(message, e) : new IndexWriteException(message, e);
  }

  /**
   * Whether an I/O error (or one it wraps) says the device is out of space: Linux/macOS "No space
   * left on device" (ENOSPC) and "Disk quota exceeded" (EDQUOT), Windows "There is not enough space
   * on the disk", and Lucene's test directory's "fake disk full". The JDK reports ENOSPC only
   * through the message, so the message is what there is to read.
   */
  static boolean isDiskFull(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      String m = c.getMessage();
      if (m != null) {
        String lower = m.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("no space left on device")
            || lower.contains("disk quota exceeded")
            || lower.contains("not enough space on the disk")
            || lower.contains("disk full")) {
          return true;
        }
      }
      for (Throwable s : c.getSuppressed()) {
        if (s != c && isDiskFull(s)) {
          return true;
        }
      }
    }
    return false;
  }

  private IndexWriter writer() throws IOException {
    if (writer == null) {
      try {
        writer = new IndexWriter(directory, config(IndexWriterConfig.OpenMode.APPEND));
      } catch (LockObtainFailedException e) {
        throw new IllegalStateException(
            where + " is being written by another process (Lucene write.lock is held)", e);
      }
    }
    return writer;
  }

  private void rollbackWriter() {
    if (writer == null) {
      return;
    }
    try {
      writer.rollback();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot roll back " + where, e);
    } finally {
      writer = null;
      pending = committed;
      buffered = false;
    }
    if (claimed) {
      try {
        writer(); // keep the claim: another process must not take the lock between writes
      } catch (IOException | RuntimeException e) {
        // the next mutation retries and reports
      }
    }
  }

  private IndexWriterConfig config(IndexWriterConfig.OpenMode mode) {
    return new IndexWriterConfig(analyzer)
        .setOpenMode(mode)
        .setSimilarity(new BM25Similarity(DEFAULT_K1, DEFAULT_B))
        .setCommitOnClose(false)
        .setRAMBufferSizeMB(64);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException(where + " is closed");
    }
  }

  private static void createEmpty(Directory dir, String where) throws IOException {
    IndexWriterConfig cfg =
        new IndexWriterConfig(IndexAnalysis.english())
            .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
            .setSimilarity(new BM25Similarity(DEFAULT_K1, DEFAULT_B))
            .setCommitOnClose(false);
    try (IndexWriter w = new IndexWriter(dir, cfg)) {
      w.setLiveCommitData(IndexInfo.fresh().toUserData().entrySet());
      w.commit();
    } catch (LockObtainFailedException e) {
      throw new IllegalStateException(
          where + " is being created by another process (Lucene write.lock is held)", e);
    }
  }

  private static IndexInfo readInfo(Directory dir, String where) throws IOException {
    SegmentInfos infos;
    try {
      infos = SegmentInfos.readLatestCommit(dir);
    } catch (IndexFormatTooNewException e) {
      throw new IllegalArgumentException(
          where + " was written by a newer Lucene than 9.12 (" + e.getMessage() + ")", e);
    } catch (IndexFormatTooOldException e) {
      throw new IllegalArgumentException(
          where + " was written by a Lucene too old to read (" + e.getMessage() + ")", e);
    } catch (CorruptIndexException | NoSuchFileException | FileNotFoundException | EOFException e) {
      throw new IndexCorruptException(where, e.toString(), e);
    }
    return IndexInfo.fromUserData(infos.getUserData(), where);
  }

  /** A directory without a Lucene commit may hold only Lucene's own leftovers to be reused. */
  private static void refuseForeignFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<String> foreign =
          files
              .map(p -> p.getFileName().toString())
              .filter(
                  n ->
                      !n.equals("write.lock")
                          && !n.equals(HOLDER_FILE)
                          && !n.startsWith("pending_segments_"))
              .sorted()
              .limit(5)
              .toList();
      if (!foreign.isEmpty()) {
        throw new IllegalArgumentException(
            "refusing to create an index in "
                + dir
                + ": it is not empty and holds no Lucene index (found "
                + String.join(", ", foreign)
                + ")");
      }
    }
  }
}
