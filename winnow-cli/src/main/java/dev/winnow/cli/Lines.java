package dev.winnow.cli;

import dev.winnow.index.CorpusReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Counts lines cheaply (newline bytes), to size a progress bar before streaming a corpus. */
final class Lines {

  private Lines() {}

  /**
   * The number of newline-terminated or final lines of {@code file} (gzip when it ends in {@code
   * .gz}), or of a directory's corpus files; 0 when the file cannot be read: the bar is cosmetic,
   * and the real reader reports the problem with the file and line.
   */
  static long count(Path file) {
    if (!Progress.stderrIsTerminal()) {
      return 0; // no bar will be drawn: skip the extra pass over the file
    }
    if (Files.isDirectory(file)) {
      try {
        return CorpusReader.corpusFiles(file).stream().mapToLong(Lines::countFile).sum();
      } catch (IOException | RuntimeException e) {
        return 0;
      }
    }
    return countFile(file);
  }

  private static long countFile(Path file) {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in =
            file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
      byte[] buf = new byte[1 << 16];
      long lines = 0;
      int n;
      int last = '\n';
      while ((n = in.read(buf)) > 0) {
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
        last = buf[n - 1];
      }
      return last == '\n' ? lines : lines + 1;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
