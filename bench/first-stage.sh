#!/usr/bin/env bash
# Speed of Winnow's own first stage (winnow-index) on BEIR SciFact: indexing throughput (BM25 only,
# and BM25 + bge-small int8 embeddings, embedding included) and one-thread query latency of BM25 and
# dense retrieval (exact and HNSW, with and without query encoding), every timed run's nDCG@10
# checked against regressions/ before it counts.
#
#   bench/first-stage.sh                       # everything, whole corpus
#   bench/first-stage.sh --docs 500            # embed only the first 500 documents (a prefix)
#
# Options (defaults): --scifact ../shared/data/scifact  --regressions regressions  --docs 0 (all)
#   --bm25-runs 3  --batch 1000  --warmup 2  --index-threads <processors>
#   --fusion-docs 1000 (also embed the first N with the exported graph, then fused: the ratio)
#   --out winnow-bench/target/first-stage
# Writes results.md and results.json under --out; exits 1 if any answer check fails.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for a in "$@"; do
  if [ "$a" = "--help" ] || [ "$a" = "-h" ]; then
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit 0
  fi
done

echo "first-stage: building winnow-bench and its classpath..." >&2
./mvnw -q -B -pl winnow-bench -am -DskipTests -Dspotless.check.skip=true \
  package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt >&2

echo "first-stage: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
exec java -Xmx2g -Dai.djl.offline=true -DRUST_FLAVOR=cpu \
  -cp "winnow-bench/target/classes:$(cat winnow-bench/target/classpath.txt)" \
  dev.winnow.bench.FirstStage "$@"
