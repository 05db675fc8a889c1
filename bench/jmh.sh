#!/usr/bin/env bash
# Runs the JMH benchmarks of winnow-bench (in-process implementations only; transformers.js and
# peak RSS are in bench/compare.sh). Any JMH arguments pass through, e.g.
#   bench/jmh.sh CrossEncoderBenchmark -p impl=winnow,naive-ort -p length=128 -p variant=fp32
#   bench/jmh.sh RerankBenchmark -p candidates=100 -wi 1 -i 2
# Results land in winnow-bench/target/jmh-result.json as well as on stdout.
# Compiler blackholes (JMH's default on Java 17) make forks that load ONNX Runtime die with SIGSEGV
# (exit 139) on this machine; JMH's ordinary blackhole is used instead.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
./mvnw -q -B -pl winnow-bench -am -DskipTests -Dspotless.check.skip=true \
  package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2
shared="$(cd "$root/.." && pwd)/shared"
exec java -Djmh.blackhole.autoDetect=false -cp "winnow-bench/target/classes:$(cat winnow-bench/target/classpath.txt)" \
  org.openjdk.jmh.Main -rf json -rff winnow-bench/target/jmh-result.json \
  -jvmArgsAppend "-Dwinnow.shared=${WINNOW_SHARED:-$shared}" "$@"
