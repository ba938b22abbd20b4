#!/usr/bin/env bash
# Makes sure a system Chromium exists for the browser tests: uses one that is there, otherwise installs
# Debian's `chromium` package with apt (as root or via sudo). Prints the executable's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if path="$(node "$here/find-chromium.mjs" 2>/dev/null)"; then
  echo "$path"
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian's chromium package..." >&2
  $sudo apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >&2
  node "$here/find-chromium.mjs"
  exit 0
fi
node "$here/find-chromium.mjs"
