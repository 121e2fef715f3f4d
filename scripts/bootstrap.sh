#!/usr/bin/env bash
# One idempotent bootstrap behind both README commands: installs what is missing, fetches ONNX Runtime
# (pinned, sha256-verified, cached in .cache/), and builds what was asked for.
#
#   scripts/bootstrap.sh          dependencies + ONNX Runtime only
#   scripts/bootstrap.sh app      ... and build the realtimeseg CLI if its sources changed
#
# Set REALTIMESEG_ORT_LIB to use another ONNX Runtime build (a CUDA one, say); the pinned one is still fetched for tests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ORT_VERSION=1.30.0
ORT_SHA256=ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23
ORT_DIR="$root/.cache/onnxruntime/$ORT_VERSION"
ORT_LIB="$ORT_DIR/libonnxruntime.so.1"
APP_DLL="$root/src/App/bin/Release/net10.0/realtimeseg.dll"

# Debian packages the product needs at run or test time (the model tools in tools/ list their own):
# ffmpeg and ffprobe decode every camera, file and stream; EGL + Mesa give headless OpenGL (llvmpipe when
# there is no GPU); GLFW opens windows; Xvfb is the display the window tests use.
DEBIAN_PACKAGES=(ffmpeg libegl1 libegl-mesa0 libgl1-mesa-dri libglfw3 xvfb xauth)

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

install_debian_packages() {
  local missing=() p
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages; run: sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  fi
  say "installing ${missing[*]}"
  # A fresh machine has empty package lists: update first.
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
}

check_tools() {
  command -v dotnet >/dev/null || die "the .NET SDK is not installed; install .NET 10 SDK (https://dot.net) and retry"
  command -v npm >/dev/null || die "npm is not installed (it fetches ONNX Runtime); run: apt-get install -y npm"
}

sha_ok() { [ -f "$1" ] && [ "$(sha256sum "$1" | cut -d' ' -f1)" = "$ORT_SHA256" ]; }

fetch_onnxruntime() {
  sha_ok "$ORT_LIB" && return 0
  say "fetching ONNX Runtime $ORT_VERSION (npm package onnxruntime-node, about 110 MB)"
  local tmp; tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null) ||
    die "npm pack onnxruntime-node@$ORT_VERSION failed; check that the npm registry is reachable"
  tar -xzf "$tmp"/onnxruntime-node-"$ORT_VERSION".tgz -C "$tmp" package/bin/napi-v6/linux/x64/libonnxruntime.so.1 ||
    die "the onnxruntime-node package has no linux/x64 library"
  local lib="$tmp/package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
  sha_ok "$lib" || die "ONNX Runtime library checksum mismatch: got $(sha256sum "$lib" | cut -d' ' -f1), expected $ORT_SHA256"
  mkdir -p "$ORT_DIR"
  mv "$lib" "$ORT_LIB.tmp" && mv "$ORT_LIB.tmp" "$ORT_LIB"   # atomic: never a half-written library in the cache
  say "ONNX Runtime $ORT_VERSION cached in ${ORT_DIR#"$root"/}"
}

build_app() {
  # Rebuild only when a source or build file is newer than the built CLI.
  if [ -f "$APP_DLL" ] && [ -z "$(find "$root/src" "$root/shaders" "$root"/Directory.*.props \
        \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.glsl' -o -name '*.vert' -o -name '*.frag' \) \
        -newer "$APP_DLL" -print -quit 2>/dev/null)" ]; then
    return 0
  fi
  say "building the realtimeseg CLI"
  local log; log="$(mktemp)"
  if ! dotnet build "$root/src/App/RealtimeSeg.App.csproj" -c Release -nologo -v quiet >"$log" 2>&1; then
    grep -E "error|Error" "$log" >&2 || cat "$log" >&2
    rm -f "$log"
    die "build failed (see the errors above)"
  fi
  rm -f "$log"
}

check_tools
install_debian_packages
fetch_onnxruntime
case "${1:-}" in
  app) build_app ;;
  "") ;;
  *) die "unknown target '$1' (expected: app)" ;;
esac
