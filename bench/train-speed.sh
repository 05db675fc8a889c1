#!/usr/bin/env bash
# Training throughput of `winnow train cross-encoder` against the same recipe in PyTorch, side by
# side: the two run alternately, ROUNDS times, each a fresh process timing STEPS steps of one group
# of 8 pairs x 256 tokens (MiniLM-L6 shape + head; forward, listwise loss, backward, clipping,
# AdamW) after 2 warm-up steps, on 2 threads. Prints each run and the median ratio.
# Needs Debian's python3-torch (apt-get install python3-torch; PYTHON names another interpreter). Usage: bench/train-speed.sh [ROUNDS] [STEPS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"; steps="${2:-8}"
./winnow --version > /dev/null   # builds the jar when needed
jar=winnow-cli/target/winnow.jar
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
w=(); p=()
for r in $(seq "$rounds"); do
  lw=$(java -Dai.djl.offline=true -cp "$jar" dev.winnow.train.TrainingThroughput --steps "$steps" 2>/dev/null | tail -1)
  lp=$("${PYTHON:-/usr/bin/python3}" bench/train_speed.py --steps "$steps" | tail -1)
  echo "round $r: $lw | $lp"
  w+=("$(awk '{for(i=1;i<=NF;i++) if($i=="pairs/s") print $(i+1)}' <<< "$lw")")
  p+=("$(awk '{for(i=1;i<=NF;i++) if($i=="pairs/s") print $(i+1)}' <<< "$lp")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mw=$(median "${w[@]}"); mp=$(median "${p[@]}")
echo "median pairs/s: winnow $mw, pytorch $mp, ratio $(awk -v a="$mw" -v b="$mp" 'BEGIN {printf "%.2f", a/b}')"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
