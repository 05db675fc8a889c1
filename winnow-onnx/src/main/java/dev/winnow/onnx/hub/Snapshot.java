package dev.winnow.onnx.hub;

import java.nio.file.Path;
import java.util.List;

/**
 * A model present in the hub cache: {@code path} is {@code models--ORG--NAME/snapshots/COMMIT},
 * holding {@code files} (paths relative to it). {@code downloaded} and {@code bytesDownloaded} say
 * what this pull fetched (0 when everything was cached).
 */
public record Snapshot(
    ModelId id,
    String commit,
    Path path,
    List<String> files,
    int downloaded,
    long bytesDownloaded) {

  public Snapshot {
    files = List.copyOf(files);
  }
}
