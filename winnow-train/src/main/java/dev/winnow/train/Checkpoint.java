package dev.winnow.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A training run's state at an epoch boundary, on disk: named float arrays (weights, optimizer
 * moments, the best weights so far) and a small JSON state. A checkpoint is written beside the
 * current one and swapped in by renames only once it is complete and synced, so a failure while
 * writing (a full disk, an interrupt) leaves the previous checkpoint as it was.
 */
final class Checkpoint {

  static final String STATE = "state.json";

  private Checkpoint() {}

  /** Writes {@code arrays} (file name to named arrays) and {@code state} as {@code dir}. */
  static void write(Path dir, Map<String, Map<String, float[]>> arrays, String state) {
    Path tmp = dir.resolveSibling(dir.getFileName() + ".writing");
    Path old = dir.resolveSibling(dir.getFileName() + ".old");
    try {
      deleteTree(tmp);
      Files.createDirectories(tmp);
      for (Map.Entry<String, Map<String, float[]>> e : arrays.entrySet()) {
        writeArrays(tmp.resolve(e.getKey()), e.getValue());
      }
      Path stateFile = tmp.resolve(STATE);
      Files.writeString(stateFile, state, StandardCharsets.UTF_8);
      try (FileChannel c = FileChannel.open(stateFile, StandardOpenOption.WRITE)) {
        c.force(true);
      }
      deleteTree(old);
      if (Files.exists(dir)) {
        Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(old);
    } catch (IOException e) {
      try {
        deleteTree(tmp);
        if (!Files.exists(dir) && Files.exists(old)) {
          Files.move(old, dir, StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException(
          "cannot write checkpoint " + dir + " (the previous one is kept): " + e.getMessage(), e);
    }
  }

  static String readState(Path dir) {
    try {
      return Files.readString(dir.resolve(STATE), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read checkpoint state " + dir.resolve(STATE), e);
    }
  }

  static boolean exists(Path dir) {
    return Files.isRegularFile(dir.resolve(STATE));
  }

  static Map<String, float[]> readArrays(Path file) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer all = ByteBuffer.allocate((int) c.size()).order(ByteOrder.LITTLE_ENDIAN);
      while (all.hasRemaining() && c.read(all) >= 0) {
        // read fully
      }
      all.flip();
      int count = all.getInt();
      for (int i = 0; i < count; i++) {
        byte[] name = new byte[all.getInt()];
        all.get(name);
        float[] values = new float[all.getInt()];
        all.asFloatBuffer().get(values);
        all.position(all.position() + 4 * values.length);
        out.put(new String(name, StandardCharsets.UTF_8), values);
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("checkpoint file " + file + " is unreadable: " + e, e);
    }
  }

  private static void writeArrays(Path file, Map<String, float[]> arrays) throws IOException {
    long size = 4;
    for (Map.Entry<String, float[]> e : arrays.entrySet()) {
      size += 8 + e.getKey().getBytes(StandardCharsets.UTF_8).length + 4L * e.getValue().length;
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(arrays.size());
    for (Map.Entry<String, float[]> e : arrays.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      b.putInt(name.length).put(name).putInt(e.getValue().length);
      b.asFloatBuffer().put(e.getValue());
      b.position(b.position() + 4 * e.getValue().length);
    }
    b.flip();
    try (FileChannel c =
        FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
