#!/usr/bin/env bash
# Time-bounded coverage-guided fuzzing of Winnow's input parsers (Jazzer), one fresh JVM per target:
#   RequestFuzzTest        every rerank dialect's request parsing (winnow-server)
#   CorpusRequestFuzzTest  ingestion and search bodies (winnow-server)
#   CorpusReaderFuzzTest   the JSON Lines / BEIR corpus loader (winnow-index)
#   TokenizerFuzzTest      the tokenizer wrapper over the tiny fixture (winnow-onnx)
# Each target fuzzes for its @FuzzTest maxDuration (30 s). A finding fails the build; Jazzer writes
# the input under the module's src/test/resources/.../<Class>Inputs/<method>/ so that it replays in
# every ./mvnw verify from then on. Usage: scripts/fuzz.sh [extra maven args]
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
JAZZER_FUZZ=1 ./mvnw -B -ntp -pl winnow-server,winnow-index,winnow-onnx -am test \
  -Djazzer.hooks=true -DreuseForks=false -DforkCount=1 \
  -Dtest='RequestFuzzTest,CorpusRequestFuzzTest,CorpusReaderFuzzTest,TokenizerFuzzTest' \
  -Dsurefire.failIfNoSpecifiedTests=false -Dspotless.check.skip=true "$@" \
  > target-fuzz.log 2>&1 || status=$?
status=${status:-0}
grep -E "^Done [0-9]+ runs|Tests run:|FAIL|ERROR\]|== Java Exception|crash-" target-fuzz.log || true
runs=$(grep -oE '^Done [0-9]+ runs' target-fuzz.log | awk '{s += $2} END {print s + 0}')
targets=$(grep -cE '^Done [0-9]+ runs' target-fuzz.log || true)
echo "fuzzing: ${targets} target(s), ${runs} executions in $(( $(date +%s) - start )) s (exit ${status})"
if [ "$targets" -lt 4 ]; then
  echo "fuzzing: expected 4 targets; a target without ../shared (the tokenizer) is skipped" >&2
fi
rm -f target-fuzz.log
exit "$status"
