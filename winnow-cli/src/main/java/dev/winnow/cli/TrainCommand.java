package dev.winnow.cli;

import dev.winnow.train.CrossEncoderTrainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code winnow train ...}: fine-tune rerankers on a dataset's judgments, in the JVM. */
@Command(
    name = "train",
    description = "Train a reranker on your own judgments (libtorch through DJL; no Python).",
    mixinStandardHelpOptions = true,
    subcommands = {TrainCommand.CrossEncoderCommand.class})
final class TrainCommand {

  /** {@code winnow train cross-encoder --base M --dataset D --out DIR [...]}. */
  @Command(
      name = "cross-encoder",
      mixinStandardHelpOptions = true,
      description = {
        "Fine-tune a BERT-family model into a cross-encoder: listwise loss over one positive and"
            + " hard negatives mined by Winnow's first stage, AdamW with warm-up and decay. The"
            + " checkpoint with the best validation nDCG@10 is exported to ONNX, checked against"
            + " the training engine, and published as a model folder every command loads.",
        "An interrupted run resumes from its last epoch checkpoint when run again with the same"
            + " options (kept in OUT.partial)."
      })
  static final class CrossEncoderCommand implements Callable<Integer> {

    @Option(
        names = "--base",
        required = true,
        description =
            "Model folder (BERT, MiniLM, ELECTRA-style; a cross-encoder keeps its head) or"
                + " all-minilm-l6-v2 (the bundled bi-encoder, given a fresh head).")
    String base;

    @Option(names = "--dataset", required = true, description = "BEIR folder.")
    Path dataset;

    @Option(
        names = "--split",
        defaultValue = "train",
        description = "Split to train on (never test). Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--out", required = true, description = "New model folder to write.")
    Path out;

    @Option(
        names = "--first-stage",
        defaultValue = "bm25",
        description = "Where negatives come from: bm25 or hybrid. Default: ${DEFAULT-VALUE}.")
    String firstStage;

    @Option(
        names = "--depth",
        defaultValue = "100",
        description =
            "Negatives are drawn from the first stage's top DEPTH. Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(
        names = "--negatives",
        defaultValue = "15",
        description = "Negatives per group (one positive each). Default: ${DEFAULT-VALUE}.")
    int negatives;

    @Option(names = "--epochs", defaultValue = "1", description = "Default: ${DEFAULT-VALUE}.")
    double epochs;

    @Option(
        names = "--lr",
        defaultValue = "3e-5",
        description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double lr;

    @Option(
        names = "--max-length",
        defaultValue = "256",
        description = "Default: ${DEFAULT-VALUE}.")
    int maxLength;

    @Option(
        names = "--validation-fraction",
        defaultValue = "0.1",
        description =
            "Share of the split's queries held back by seed for selection. Default: ${DEFAULT-VALUE}.")
    double validationFraction;

    @Option(
        names = "--validation-depth",
        defaultValue = "30",
        description = "Validation reranks the first stage's top N. Default: ${DEFAULT-VALUE}.")
    int validationDepth;

    @Option(names = "--seed", defaultValue = "13", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(
        names = "--warmup",
        defaultValue = "0.1",
        description = "Warm-up share of the steps. Default: ${DEFAULT-VALUE}.")
    double warmup;

    @Option(
        names = "--weight-decay",
        defaultValue = "0.01",
        description = "Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(
        names = "--max-grad-norm",
        defaultValue = "1.0",
        description = "Default: ${DEFAULT-VALUE}.")
    double maxGradNorm;

    @Option(
        names = "--threads",
        defaultValue = "2",
        description = "libtorch threads. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(
        names = "--limit-queries",
        defaultValue = "0",
        description = "Use only the first N judged queries (0: all), for a quick trial.")
    int limitQueries;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      CrossEncoderTrainer.Options options =
          new CrossEncoderTrainer.Options(
              base,
              dataset,
              split,
              out,
              firstStage,
              depth,
              negatives,
              epochs,
              lr,
              maxLength,
              validationFraction,
              validationDepth,
              seed,
              warmup,
              weightDecay,
              maxGradNorm,
              threads,
              limitQueries);
      CrossEncoderTrainer.Result r =
          CrossEncoderTrainer.run(
              options,
              new CrossEncoderTrainer.Listener() {
                private long lastLine;
                private final long started = System.nanoTime();

                @Override
                public void log(String line) {
                  err.println(line);
                  err.flush();
                }

                @Override
                public void progress(long step, long total, double loss, double pairsPerSecond) {
                  long now = System.nanoTime();
                  if (now - lastLine < 30_000_000_000L && step < total) {
                    return;
                  }
                  lastLine = now;
                  double secs = (now - started) / 1e9;
                  err.printf(
                      Locale.ROOT,
                      "step %d/%d  loss %.4f  %.1f pairs/s  %.0f s, eta %.0f s%n",
                      step,
                      total,
                      loss,
                      pairsPerSecond,
                      secs,
                      secs / Math.max(1, step) * (total - step));
                  err.flush();
                }
              });
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "%s%nbest validation nDCG@10 %.4f (first stage %.4f) at step %d; export max |diff| %.2e%n",
              r.model(),
              r.bestValidationNdcg(),
              r.firstStageValidationNdcg(),
              r.bestStep(),
              r.exportMaxDiff());
      return 0;
    }
  }
}
