package dev.winnow.cli;

import dev.winnow.onnx.Int8Quantizer;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow models quantize DIR --out DIR2}: an int8 copy of a model folder. */
@Command(
    name = "quantize",
    mixinStandardHelpOptions = true,
    description = {
      "Write an int8 copy of a model folder: onnx/model.onnx dynamically quantized (int8"
          + " weights, one scale per output column; activations quantized at run time), config,"
          + " tokenizer and other small files copied. The folder loads wherever DIR does.",
      "Nothing is written to --out unless the whole folder was made and its graph loads."
    })
final class ModelsQuantizeCommand implements Callable<Integer> {

  @Parameters(paramLabel = "DIR", description = "A model folder with a float onnx/model.onnx.")
  Path model;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR2",
      description = "The new folder (must not exist, or be empty).")
  Path out;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    long start = System.nanoTime();
    Int8Quantizer.Result r = Int8Quantizer.quantize(model, out);
    spec.commandLine()
        .getErr()
        .println(
            String.format(
                Locale.ROOT,
                "%s: %s; %,d -> %,d bytes in %.1f s",
                model,
                r.report(),
                r.floatBytes(),
                r.int8Bytes(),
                (System.nanoTime() - start) / 1e9));
    spec.commandLine().getOut().println(r.out());
    return 0;
  }
}
