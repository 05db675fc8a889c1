#!/usr/bin/env bash
# Side-by-side comparison of Winnow's cross-encoder with the usual ways to run one on the JVM (and
# transformers.js under Node): same model files, inputs, maximum length (512) and thread count, each
# implementation in its own worker process, calls interleaved, every answer checked against Winnow.
#
#   bench/compare.sh                          # everything: fp32 + qint8, fixed lengths + SciFact top-20/100
#   bench/compare.sh --variants fp32 --sections fixed --rounds 3
#   bench/compare.sh --impls winnow,naive-ort --queries 4 --topk 100
#
# Options (defaults): --model ../shared/models/minilm-l6-ce-fixture  --scifact ../shared/data/scifact
#   --variants fp32,qint8  --impls winnow,naive-ort,langchain4j,djl,transformers.js  --threads 2
#   --lengths 128,256,512  --batch 32  --warmup 2  --rounds 5  --queries 8  --topk 20,100
#   --sections fixed,realistic  --out winnow-bench/target/compare  --worker-jvm-opts "-Xmx1g"
#   --peak-gflops G (divide by G, e.g. the peak probed on an idle machine; default: the higher of
#   the two probes run now)   Implementations: winnow, naive-ort, langchain4j, djl, transformers.js,
#   winnow-unfused (fusion off), winnow-noflash (ONNX Runtime's flash attention off), winnow@qint8
#   (another variant in the same section), and tuned:knob=v,... (see TunedOrtScorer).
# Writes results.md, results.json and throughput.svg under --out; exits 1 if any implementation's
# scores differ from Winnow's beyond tolerance (fp32 1e-4, qint8 0.03).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for a in "$@"; do
  if [ "$a" = "--help" ] || [ "$a" = "-h" ]; then
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
  fi
done

echo "compare: building winnow-bench and its classpath..." >&2
./mvnw -q -B -pl winnow-bench,winnow-cli -am -DskipTests -Dspotless.check.skip=true \
  package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2

if command -v node >/dev/null 2>&1; then
  if [ ! -d bench/node/node_modules/@huggingface/transformers ]; then
    echo "compare: installing transformers.js (bench/node, from the lockfile)..." >&2
    (cd bench/node && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund >&2)
  fi
else
  echo "compare: node not found; leave transformers.js out with --impls" >&2
fi

threads=2
prev=""
for a in "$@"; do
  [ "$prev" = "--threads" ] && threads="$a"
  prev="$a"
done
java_probe="$(java --add-modules jdk.incubator.vector -cp winnow-cli/target/winnow.jar \
  dev.winnow.onnx.FmaProbe "$threads" 0.5 2>/dev/null | sed -E 's/.*"gflops":([0-9.]+).*/\1/')"
echo "compare: Java Vector API FMA probe on $threads threads: $java_probe GFLOP/s" >&2
c_probe=0
if command -v gcc >/dev/null 2>&1; then
  gcc -O3 -march=native -pthread bench/fma_probe.c -o winnow-bench/target/fma_probe
  c_probe="$(winnow-bench/target/fma_probe "$threads" 0.5 | sed -E 's/.*"gflops":([0-9.]+).*/\1/')"
  echo "compare: C FMA probe on $threads threads: $c_probe GFLOP/s" >&2
fi

echo "compare: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
set +e
java -Xmx2g -Dai.djl.offline=true -DRUST_FLAVOR=cpu \
  -cp "winnow-bench/target/classes:$(cat winnow-bench/target/classpath.txt)" \
  dev.winnow.bench.Compare --c-probe-gflops "$c_probe" --java-probe-gflops "$java_probe" "$@"
status=$?
out="winnow-bench/target/compare"
prev=""
for a in "$@"; do
  [ "$prev" = "--out" ] && out="$a"
  prev="$a"
done
cat "$out/results.md"
exit $status
