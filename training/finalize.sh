#!/usr/bin/env bash
# Turn finished training checkpoints into the bundled model: export (averaging when several are given), convert,
# golden fixtures from the PyTorch model, parity of the converted model, and the real-data evaluation that
# rewrites the tables of the model card, the README and docs/benchmarks.md.
#   bash training/finalize.sh training/runs/real4/step-{1600,1700,1800,1900,2000}.pt
set -euo pipefail
ckpts=("$@")
name=chronos2-mini
dir=public/models/$name
export OPENBLAS_NUM_THREADS=1
/usr/bin/python3 training/export.py "${ckpts[@]}" "$dir"
npm run --silent convert -- "$dir" "$dir" --name "$name"
mkdir -p test/fixtures/trained/models
ln -sfn ../../../../public/models/$name test/fixtures/trained/models/$name
rm -f test/fixtures/trained/cases/*.json
/usr/bin/python3 training/golden.py write "$dir" test/fixtures/trained --name "$name"
npm run --silent parity -- test/fixtures/trained
npm run --silent eval -- --model "$dir" --card "$dir/README.md" --readme README.md --docs docs/benchmarks.md --json training/eval/results.json
