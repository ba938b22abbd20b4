#!/usr/bin/env bash
# Packs Debian's chromium-headless-shell, the resources it reads and the shared libraries it links
# (all but glibc and the C++ runtime) into one folder that runs on another x86-64 Linux without
# installing anything, for scripts/device/webgpu-bench.sh on a GPU machine. Needs apt-get (Debian).
#   pack-browser.sh OUT_DIR
set -euo pipefail
OUT=$(realpath -m "$1")
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
apt-get download chromium-headless-shell chromium-common >/dev/null 2>&1
for deb in *.deb; do dpkg -x "$deb" root; done
rm -rf "$OUT"; mkdir -p "$OUT/lib" "$OUT/locales"
SRC=root/usr/lib/chromium
cp "$SRC"/chromium-headless-shell "$SRC"/headless_*.pak "$SRC"/icudtl.dat "$SRC"/*snapshot*.bin "$SRC"/libvulkan.so.1 \
   "$SRC"/libEGL.so "$SRC"/libGLESv2.so "$SRC"/libvk_swiftshader.so "$SRC"/vk_swiftshader_icd.json "$OUT"/
cp "$SRC"/locales/en-US.pak "$OUT/locales/"
# Every library the binary links, except those any Linux has (glibc, libgcc, libstdc++), plus glvnd's
# dispatcher, which the NVIDIA Vulkan driver needs.
# shellcheck disable=SC2016
ldd "$OUT/chromium-headless-shell" | awk '$3 ~ /^\// {print $3}' \
  | grep -vE '/(libc|libm|libpthread|libdl|librt|libgcc_s|libstdc\+\+|ld-linux[^/]*)\.so' \
  | while read -r lib; do cp -L "$lib" "$OUT/lib/"; done
for extra in libGLdispatch.so.0 libGLX.so.0 libEGL.so.1 libOpenGL.so.0; do
  for dir in /usr/lib/x86_64-linux-gnu /lib/x86_64-linux-gnu; do
    [ -e "$dir/$extra" ] && { cp -L "$dir/$extra" "$OUT/lib/"; break; }
  done
done
# NSS loads its crypto modules at run time from nss/ beside libnss3.
[ -d /usr/lib/x86_64-linux-gnu/nss ] && cp -rL /usr/lib/x86_64-linux-gnu/nss "$OUT/lib/"
du -sh "$OUT"
