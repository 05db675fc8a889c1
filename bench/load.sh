#!/usr/bin/env bash
# Open-loop load against a running `winnow serve` (or an in-process fake engine with --fake NANOS).
# Usage: bench/load.sh --url http://127.0.0.1:8080 [--docs 20] [--words 185] [--seconds 15]
#        [--idle 30] [--phases idle,capacity,0.5,1,2,5] [--capacity R] [--key KEY]
# Builds the server's test classes with the Maven wrapper (reactor only, never install).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
cp_file="winnow-server/target/load-classpath.txt"
./mvnw -q -B -pl winnow-server -am -DskipTests -Dspotless.check.skip=true test-compile \
  dependency:build-classpath -Dmdep.outputFile="$here/$cp_file" -Dmdep.includeScope=test >&2
exec java -Xmx1g -cp "winnow-server/target/test-classes:winnow-server/target/classes:$(cat "$cp_file")" \
  dev.winnow.server.OpenLoopLoad "$@"
