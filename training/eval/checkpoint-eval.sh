#!/usr/bin/env bash
# Evaluate the latest checkpoint of a training run (accuracy per training minute): exports <run>/last.pt,
# runs the evaluation through the TypeScript converter + ORT, appends one line to <run>/curve.jsonl.
#   bash training/eval/checkpoint-eval.sh training/runs/mini
set -euo pipefail
run="$1"
tmp="$run/eval-model"
OPENBLAS_NUM_THREADS=1 /usr/bin/python3 training/export.py "$run/last.pt" "$tmp" > /dev/null
step=$(OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -c "import torch,sys; s=torch.load(sys.argv[1],map_location='cpu'); print(s['step'], round(s.get('elapsed_s',0)/60,1))" "$run/last.pt")
npx tsx training/eval/evaluate.ts --model "$tmp" --json "$tmp/eval.json" > "$tmp/eval.txt"
node -e '
const r = require(process.argv[1]); const [step, minutes] = process.argv[2].split(" ");
const pick = (d, m) => r.scores.find((s) => s.dataset.startsWith(d) && s.method === m);
const line = { step: +step, minutes: +minutes, airline1960Mape: +r.airline1960Mape.model.toFixed(2),
  airlineMase: +pick("airline", "model").mase.toFixed(3), synthMase: +pick("synthetic", "model").mase.toFixed(3),
  synthWql: +pick("synthetic", "model").wql.toFixed(3), synthRelMase: +pick("synthetic", "model").relMase.toFixed(3), synthRelWql: +pick("synthetic", "model").relWql.toFixed(3) };
console.log(JSON.stringify(line));' "$(realpath "$tmp/eval.json")" "$step" | tee -a "$run/curve.jsonl"
