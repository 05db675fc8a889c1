#!/usr/bin/env bash
# Puts a trained cross-encoder into winnow-models as a bundled model: quantises MODEL_DIR to int8
# with `winnow models quantize`, copies the folder's config, tokenizer, calibration, card and
# training log, and writes files.txt (sha256 and path of each file), which BundledModels checks
# when it copies the model out of the jar.
# A calibration fitted on the int8 model (CALIBRATION=FILE) replaces the fp32 one.
# Usage: [CALIBRATION=FILE] scripts/bundle-model.sh MODEL_DIR [NAME]   (NAME default: minilm-l6-scifact-ce)
set -euo pipefail
cd "$(dirname "$0")/.."
src="${1:?usage: scripts/bundle-model.sh MODEL_DIR [NAME]}"
name="${2:-minilm-l6-scifact-ce}"
dest="winnow-models/src/main/resources/winnow-models/$name"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
./winnow models quantize "$src" --out "$tmp/q" --all-int8   # every MatMul int8: the bundle stays under 25 MB
rm -rf "$dest"
mkdir -p "$dest/onnx"
cp "$tmp/q/onnx/model.onnx" "$dest/onnx/model.onnx"
for f in config.json tokenizer.json tokenizer_config.json special_tokens_map.json vocab.txt \
         calibration.json train_log.json; do
  if [ -f "$src/$f" ]; then cp "$src/$f" "$dest/$f"; fi
done
cp "$tmp/q/README.md" "$dest/README.md"   # the trainer's card with the quantizer's section
if [ -n "${CALIBRATION:-}" ]; then cp "$CALIBRATION" "$dest/calibration.json"; fi
rm -f "$dest/vocab.txt"   # tokenizer.json holds the vocabulary; the bundle stays small
(cd "$dest" && find . -type f ! -name files.txt | sed 's|^\./||' | sort | xargs sha256sum > files.txt)
du -sh "$dest"
cat "$dest/files.txt"
