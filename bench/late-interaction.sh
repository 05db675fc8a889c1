#!/usr/bin/env bash
# Late interaction against the cross-encoder on one core (winnow-bench LateInteractionBenchmark):
# MaxSim over a SciFact query's BM25 top 100 at dim 128 with both kernels, the MiniLM-L6
# cross-encoder over the same 100 pairs, and this core's FMA peak, all in one JMH run; then the
# table of docs/performance.md (ms per query, GFLOP/s, fraction of peak, ratio). JMH arguments
# pass through, e.g. bench/late-interaction.sh -p impl=maxsim-vector,fma-peak -wi 1 -i 2
# JMH's compiler blackholes (its default on Java 17) make forks that load ONNX Runtime die with
# SIGSEGV (exit 139) on this machine, so they are off: JMH falls back to its ordinary blackhole.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./mvnw -q -B -pl winnow-bench -am -DskipTests -Dspotless.check.skip=true \
  package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
shared="$(cd "$root/.." && pwd)/shared"
cp="winnow-bench/target/classes:$(cat winnow-bench/target/classpath.txt)"
out=winnow-bench/target/late-interaction.json
echo "load before: $(uptime)" >&2
java -Djmh.blackhole.autoDetect=false -cp "$cp" org.openjdk.jmh.Main LateInteractionBenchmark -rf json -rff "$out" \
  -jvmArgsAppend "-Xmx2g --add-modules jdk.incubator.vector -Dai.djl.offline=true -DRUST_FLAVOR=cpu -Dwinnow.shared=${WINNOW_SHARED:-$shared}" \
  "$@" >&2
echo "load after: $(uptime)" >&2
java --add-modules jdk.incubator.vector -Dwinnow.shared="${WINNOW_SHARED:-$shared}" \
  -Dai.djl.offline=true -DRUST_FLAVOR=cpu -cp "$cp" dev.winnow.bench.LateInteractionReport "$out"
