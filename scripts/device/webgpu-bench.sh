#!/usr/bin/env bash
# Runs the WebGPU benchmark suite (src/bench/gpu-suite.ts) in headless Chromium on a machine with a GPU
# and no Node.js: python3 serves the built app, Chromium runs bench.html?suite=gpu on the GPU's Vulkan
# driver, the report lands in OUT/webgpu-report.json. Tries a few flag sets and keeps the first whose
# adapter is real hardware.
#   webgpu-bench.sh BROWSER_DIR DIST_DIR FIXTURES_DIR OUT_DIR [quick]
# BROWSER_DIR: chromium-headless-shell with its resources and a lib/ of the libraries it needs
# (scripts/device/pack-browser.sh makes it). ALLOW_SOFTWARE=1 accepts a software adapter (to try the
# script itself on a machine without a GPU; its timings mean nothing).
set -u
BROWSER=$(realpath "$1"); DIST=$(realpath "$2"); FIXTURES=$(realpath "$3"); OUT=$(realpath "$4"); QUICK=${5:-}
HERE=$(dirname "$(realpath "$0")")
mkdir -p "$OUT"
export LD_LIBRARY_PATH="$BROWSER/lib:$BROWSER${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; echo "vulkan driver: $icd"; break; fi
done
[ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:/usr/local/nvidia/lib64"
[ -d /usr/local/nvidia/lib ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:/usr/local/nvidia/lib"

BASE=(--headless --no-sandbox --no-first-run --disable-background-networking --disable-component-update --disable-sync --disable-quic
  --enable-unsafe-webgpu --ignore-gpu-blocklist --enable-logging=stderr --v=0)
FLAGSETS=(
  "--enable-features=Vulkan --use-angle=vulkan --disable-vulkan-surface"
  "--enable-features=Vulkan --use-angle=vulkan --use-vulkan=native --disable-vulkan-surface --disable-gpu-sandbox"
  "--enable-features=Vulkan,SkiaGraphite --disable-gpu-sandbox"
)
PORT=8765

run_page() { # $1 = suite[:extra query], $2 = flags, $3 = report file, $4 = timeout s
  local profile; profile=$(mktemp -d)
  local name=${1%%:*} extra=""
  [ "$name" != "$1" ] && extra="&${1#*:}"
  python3 "$HERE/bench-server.py" --dist "$DIST" --fixtures "$FIXTURES" --result "$3" --port $PORT --timeout "$4" &
  local server=$!
  sleep 0.5
  # shellcheck disable=SC2086
  "$BROWSER/chromium-headless-shell" "${BASE[@]}" $2 --user-data-dir="$profile" \
    "http://127.0.0.1:$PORT/bench.html?suite=$name$extra${QUICK:+&quick}${ALLOW_SOFTWARE:+&allowSoftware}" 2>"$OUT/chromium-${name}.log" &
  local browser=$!
  wait $server; local rc=$?
  kill $browser 2>/dev/null; wait $browser 2>/dev/null
  rm -rf "$profile"; PORT=$((PORT + 1))
  return $rc
}

chosen=""
for flags in "${FLAGSETS[@]}"; do
  echo "== probe with: $flags"
  rm -f "$OUT/probe.json"
  run_page probe "$flags" "$OUT/probe.json" 60 || { echo "probe timed out"; grep -iE 'vulkan|webgpu|dawn|gpu' "$OUT/chromium-probe.log" | head -20; continue; }
  if python3 -c "import json,os,sys; a=json.load(open('$OUT/probe.json')).get('adapter'); sys.exit(0 if a and (os.environ.get('ALLOW_SOFTWARE') or (not a['isFallbackAdapter'] and 'swiftshader' not in (a['vendor']+a['architecture']+a['description']).lower())) else 1)"; then
    chosen=$flags; break
  fi
  grep -iE 'vulkan|webgpu|dawn' "$OUT/chromium-probe.log" | head -20
done
if [ -z "$chosen" ]; then echo "no hardware WebGPU adapter with any flag set"; exit 3; fi
echo "$chosen" > "$OUT/flags.txt"
# SUITES: gpu (the benchmark, webgpu-report.json), ceiling and profile (diagnostics, webgpu-<suite>.json);
# a suffix adds to the page's query: gpu:ep=native (ORT's native WebGPU EP), gpu:lite (fewer runs).
rc=0
for suite in ${SUITES:-gpu}; do
  echo "== $suite suite with: $chosen"
  tag=$(echo "$suite" | tr -c 'a-z0-9\n' '-')
  report="$OUT/webgpu-$tag.json"; [ "$suite" = gpu ] && report="$OUT/webgpu-report.json"
  run_page "$suite" "$chosen" "$report" "${SUITE_TIMEOUT:-420}" || rc=$?
done
grep -hiE 'error|lost' "$OUT"/chromium-*.log | grep -v dbus | head -20
exit $rc
