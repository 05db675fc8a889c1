#!/usr/bin/env bash
# Late interaction against the cross-encoder on one core (winnow-bench LateInteractionBenchmark):
# MaxSim over a SciFact query's BM25 top 100 at dim 128 with both kernels, the MiniLM-L6
# cross-encoder over the same 100 pairs, and this core's FMA peak, all in one JMH run; then the
# table of docs/performance.md (ms per query, GFLOP/s, fraction of peak, ratio). JMH arguments
# pass through, e.g. bench/late-interaction.sh -p impl=maxsim-vector,fma-peak -wi 1 -i 2
# The benchmark runs in this JVM (-f 0), all four implementations one after the other: on this
# machine a forked JMH VM that loads ONNX Runtime dies with SIGSEGV (exit 139, no hs_err file) at
# its first call, while the same code runs in-process (and in surefire) without fault. JMH's
# compiler blackholes are off as in bench/jmh.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./mvnw -q -B -pl winnow-bench -am -DskipTests -Dspotless.check.skip=true \
  package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
shared="$(cd "$root/.." && pwd)/shared"
cp="winnow-bench/target/classes:$(cat winnow-bench/target/classpath.txt)"
out=winnow-bench/target/late-interaction.json
echo "load before: $(uptime)" >&2
java -Djmh.blackhole.autoDetect=false -Xmx2g --add-modules jdk.incubator.vector \
  -Dai.djl.offline=true -DRUST_FLAVOR=cpu -Dwinnow.shared="${WINNOW_SHARED:-$shared}" \
  -cp "$cp" org.openjdk.jmh.Main LateInteractionBenchmark -f 0 -rf json -rff "$out" "$@" >&2
echo "load after: $(uptime)" >&2
java --add-modules jdk.incubator.vector -Dwinnow.shared="${WINNOW_SHARED:-$shared}" \
  -Dai.djl.offline=true -DRUST_FLAVOR=cpu -cp "$cp" dev.winnow.bench.LateInteractionReport "$out"
