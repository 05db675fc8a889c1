package dev.winnow.onnx.hub;

import dev.winnow.onnx.ModelFolder;
import dev.winnow.onnx.ModelSafety;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Turns what a user typed for a model into a {@link ModelFolder}: a bundled id ({@code winnow/...},
 * see {@link dev.winnow.onnx.BundledModels}) is served from Winnow's own jar before any hub lookup;
 * an existing directory is used as it is; anything else must be a hub id {@code
 * ORG/NAME[@REVISION]}, served from the hub cache (only from it when offline) or pulled. URLs are
 * refused: models never come from an address the user did not configure as the hub endpoint.
 *
 * <p>Thread-safe, as the {@link HubClient} it wraps.
 */
public final class ModelResolver {

  private final HubClient hub;

  public ModelResolver(HubClient hub) {
    this.hub = hub;
  }

  /** A resolver over {@link HubClient#fromEnvironment()}. */
  public static ModelResolver fromEnvironment() {
    return new ModelResolver(HubClient.fromEnvironment());
  }

  /**
   * The model folder for {@code modelRef} with the ONNX file of {@code variant} ({@link
   * ModelFolder#DEFAULT_VARIANT}, {@code qint8}, ...).
   *
   * @throws IllegalArgumentException for a URL, or a reference that is neither an existing
   *     directory nor a valid hub id, or a folder {@link ModelFolder#open} refuses
   * @throws HubException if the model must be pulled and that fails
   */
  public ModelFolder resolve(String modelRef, String variant) {
    ModelSafety.checkNotUrl(modelRef);
    var bundled = dev.winnow.onnx.BundledModels.folder(modelRef);
    if (bundled.isPresent()) {
      return ModelFolder.open(bundled.get(), variant);
    }
    if (isDirectory(modelRef)) {
      return ModelFolder.open(Path.of(modelRef), variant);
    }
    ModelId id;
    try {
      id = ModelId.parse(modelRef);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "model '" + modelRef + "' is not an existing folder, nor a hub id: " + e.getMessage(), e);
    }
    return ModelFolder.open(hub.pull(id, variant).path(), variant);
  }

  private static boolean isDirectory(String ref) {
    try {
      return Files.isDirectory(Path.of(ref));
    } catch (InvalidPathException e) {
      return false;
    }
  }
}
