#!/usr/bin/env bash
# Turn a finished training checkpoint into the bundled model: export, convert, golden fixtures, parity, evaluation.
#   bash training/finalize.sh training/runs/mini2/final.pt [more checkpoints to average ...]
set -euo pipefail
# one checkpoint, or several to average
ckpts=("$@")
name=chronos2-mini-synth
dir=public/models/$name
export OPENBLAS_NUM_THREADS=1
/usr/bin/python3 training/export.py "${ckpts[@]}" "$dir"
npm run --silent convert -- "$dir" "$dir" --name "$name"
mkdir -p test/fixtures/trained/models
ln -sfn ../../../../public/models/$name test/fixtures/trained/models/$name
rm -f test/fixtures/trained/cases/*.json
/usr/bin/python3 training/golden.py write "$dir" test/fixtures/trained --name "$name"
npm run --silent parity -- test/fixtures/trained
npx tsx training/eval/evaluate.ts --model "$dir" --card "$dir/README.md" --json training/eval/results.json
