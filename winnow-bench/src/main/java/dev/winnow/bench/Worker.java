package dev.winnow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hosts one implementation in its own process so that its peak RSS is its own, and answers the
 * harness over stdin/stdout, one JSON object per line (the same protocol as {@code
 * bench/node/worker.mjs}):
 *
 * <pre>
 * {"op":"score","query":Q,"docs":[..]} -> {"logits":[..],"nanos":T,"cpuNanos":C,"real":R,"padded":P}
 * {"op":"resetPeak"} -> {"ok":true}      {"op":"peak"} -> {"peakRssKb":K}      {"op":"quit"}
 * </pre>
 *
 * <p>{@code nanos} is the wall time of the {@link PairScorerAdapter#score} call alone (no pipe, no
 * JSON), {@code cpuNanos} the CPU time the whole process spent meanwhile. Args: {@code IMPL
 * MODEL_DIR VARIANT MAX_LENGTH THREADS}.
 */
public final class Worker {

  private static final Pattern HWM = Pattern.compile("VmHWM:\\s+(\\d+) kB");

  private Worker() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 5) {
      System.err.println("usage: Worker IMPL MODEL_DIR VARIANT MAX_LENGTH THREADS");
      System.exit(2);
    }
    // The protocol owns stdout; anything a library prints goes to stderr.
    PrintStream out =
        new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true, "UTF-8");
    System.setOut(System.err);
    BenchModel model =
        new BenchModel(
            Path.of(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
    ObjectMapper json = new ObjectMapper();
    try (PairScorerAdapter adapter = Adapters.create(args[0], model)) {
      ObjectNode ready = json.createObjectNode().put("ready", true).put("name", adapter.name());
      out.println(json.writeValueAsString(ready));
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode req = json.readTree(line);
        String op = req.path("op").asText();
        ObjectNode answer = json.createObjectNode();
        try {
          switch (op) {
            case "score" -> score(adapter, req, answer);
            case "resetPeak" -> {
              Files.writeString(Path.of("/proc/self/clear_refs"), "5");
              answer.put("ok", true);
            }
            case "peak" -> answer.put("peakRssKb", peakRssKb());
            case "quit" -> {
              return;
            }
            default -> answer.put("error", "unknown op '" + op + "'");
          }
        } catch (RuntimeException e) {
          answer.put("error", e.toString());
          e.printStackTrace();
        }
        out.println(json.writeValueAsString(answer));
      }
    }
  }

  private static void score(PairScorerAdapter adapter, JsonNode req, ObjectNode answer) {
    String query = req.path("query").asText();
    List<String> docs = new ArrayList<>();
    req.path("docs").forEach(d -> docs.add(d.asText()));
    long c0 = cpuNanos();
    long t0 = System.nanoTime();
    ScoredBatch r = adapter.score(query, docs);
    long nanos = System.nanoTime() - t0;
    long cpu = cpuNanos() - c0;
    var logits = answer.putArray("logits");
    for (float f : r.logits()) {
      logits.add(f);
    }
    answer.put("nanos", nanos).put("cpuNanos", cpu);
    answer.put("real", r.realTokens()).put("padded", r.paddedTokens());
  }

  /**
   * CPU time of the whole process (all threads, ONNX Runtime's native ones included), user +
   * system, from /proc/self/stat in clock ticks of 10 ms (USER_HZ 100 on Linux).
   */
  static long cpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // After "pid (comm) ", field 3 is f[0]; utime and stime are fields 14 and 15.
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  static long peakRssKb() {
    try {
      Matcher m = HWM.matcher(Files.readString(Path.of("/proc/self/status")));
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
