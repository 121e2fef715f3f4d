#!/usr/bin/env bash
# One idempotent bootstrap behind both README commands: installs what is missing and builds what was asked for.
# ONNX Runtime comes from NuGet with the build (Microsoft.ML.OnnxRuntime, or its GPU packages): nothing to fetch here.
#
#   scripts/bootstrap.sh          dependencies only
#   scripts/bootstrap.sh app      ... and build the realtimeseg CLI if its sources changed
#
# REALTIMESEG_FLAVOR=gpu builds the CLI with ONNX Runtime's GPU package (CUDA and TensorRT) into its own folder;
# scripts/bootstrap.sh app-path prints where the CLI of that flavour is.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FLAVOR="${REALTIMESEG_FLAVOR:-cpu}"
case "$FLAVOR" in
  cpu) APP_DIR="$root/src/App/bin/Release/net10.0" ;;
  gpu) APP_DIR="$root/src/App/bin/gpu/Release/net10.0" ;;
  *) printf 'bootstrap: error: REALTIMESEG_FLAVOR=%s is not a flavour; use cpu or gpu\n' "$FLAVOR" >&2; exit 1 ;;
esac
APP_DLL="$APP_DIR/realtimeseg.dll"
# Debian packages the product needs at run or test time (the model tools in tools/ list their own):
# ffmpeg and ffprobe decode every camera, file and stream; EGL + Mesa give headless OpenGL (llvmpipe when
# there is no GPU); GLFW opens windows; Xvfb is the display the window tests use.
DEBIAN_PACKAGES=(ffmpeg libegl1 libegl-mesa0 libgl1-mesa-dri libglfw3 xvfb xauth)
# The native library (scripts/build-native.sh): NativeAOT links with the system's C toolchain; the tests build C
# and C++ hosts against include/realtimeseg.h with the EGL and GL headers.
NATIVE_PACKAGES=(gcc g++ libc6-dev zlib1g-dev libegl-dev libgl-dev)
# The tests check the FFmpeg 5.1 struct offsets that in-process decoding reads against FFmpeg's headers (the
# runtime needs only the libraries that come with ffmpeg).
FFMPEG_HEADERS=(libavformat-dev libavcodec-dev libavutil-dev)
# `realtimeseg train` runs tools/train_maskrcnn.py on Debian's PyTorch for /usr/bin/python3. Only the tests install
# it: the runtime (view, record, the packages, the C ABI) never needs Python, and `train` names the apt command.
TRAINING_PACKAGES=(python3-torch python3-torchvision python3-onnx python3-pil python3-numpy)

say() { printf 'bootstrap: %s\n' "$*" >&2; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

install_debian_packages() {
  local missing=() p
  for p in "$@"; do
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
}

# True when some source is newer than the assembly its project built. Each project's own output is compared with
# its own sources: a project whose public surface did not change does not make its dependants recompile, so the
# CLI's dll alone would look stale forever after an internal change. bin/ and obj/ are build output (a Debug build
# writes generated .cs files under obj/), never sources.
sources_changed() {
  local flavour_dir="bin/Release/net10.0" project name output
  [ "$FLAVOR" = cpu ] || flavour_dir="bin/$FLAVOR/Release/net10.0"
  for project in Runtime Capture Renderer App; do
    name="RealtimeSeg.$project.dll"; [ "$project" = App ] && name=realtimeseg.dll
    output="$root/src/$project/$flavour_dir/$name"
    [ -f "$output" ] || return 0
    [ -n "$(find "$root/src/$project" \( -name bin -o -name obj \) -prune -o \
        \( -name '*.cs' -o -name '*.csproj' \) -newer "$output" -print -quit 2>/dev/null)" ] && return 0
    if [ "$project" = Renderer ] && [ -n "$(find "$root/shaders" -newer "$output" -print -quit)" ]; then return 0; fi
    # The trainer's scripts are copied next to the CLI by its build.
    if [ "$project" = App ] && [ -n "$(find "$root"/Directory.* "$root"/tools/*.py -newer "$output" -print -quit)" ]; then return 0; fi
  done
  return 1
}

build_app() {
  sources_changed || return 0
  say "building the realtimeseg CLI ($FLAVOR flavour)"
  local log; log="$(mktemp)"
  if ! dotnet build "$root/src/App/RealtimeSeg.App.csproj" -c Release -nologo -v quiet -p:OrtFlavor="$FLAVOR" >"$log" 2>&1; then
    grep -E "error|Error" "$log" >&2 || cat "$log" >&2
    rm -f "$log"
    die "build failed (see the errors above)"
  fi
  rm -f "$log"
  # A build that had nothing to compile leaves the outputs' times alone; they are current now, so say so, or a
  # change MSBuild judged irrelevant (a comment in Directory.Build.props) would rebuild on every launch.
  local flavour_dir="bin/Release/net10.0"; [ "$FLAVOR" = cpu ] || flavour_dir="bin/$FLAVOR/Release/net10.0"
  touch "$root"/src/{Runtime,Capture,Renderer}/"$flavour_dir"/RealtimeSeg.*.dll "$root/src/App/$flavour_dir/realtimeseg.dll" 2>/dev/null || true
}

case "${1:-}" in
  app-path) echo "$APP_DIR/realtimeseg"; exit 0 ;;
esac
check_tools
case "${1:-}" in
  app) install_debian_packages "${DEBIAN_PACKAGES[@]}"; build_app ;;
  native-prerequisites) install_debian_packages "${NATIVE_PACKAGES[@]}" ;;
  "") install_debian_packages "${DEBIAN_PACKAGES[@]}" "${NATIVE_PACKAGES[@]}" "${FFMPEG_HEADERS[@]}" "${TRAINING_PACKAGES[@]}" ;; # the tests: all of it
  *) die "unknown target '$1' (expected: app, app-path or native-prerequisites)" ;;
esac
