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
  | tee target-fuzz.log | grep -E "#[0-9]+ +(DONE|pulse)|Tests run|FAIL|ERROR|finding|Crash" || true
status=${PIPESTATUS[0]}
echo "fuzzing: $(grep -cE '#[0-9]+ +DONE' target-fuzz.log || true) target(s) done in $(( $(date +%s) - start )) s;" \
     "executions: $(grep -oE '#[0-9]+ +DONE' target-fuzz.log | grep -oE '[0-9]+' | paste -sd+ | bc 2>/dev/null || echo '?')"
rm -f target-fuzz.log
exit "$status"
