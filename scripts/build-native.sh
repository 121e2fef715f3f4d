#!/usr/bin/env bash
# Builds librealtimeseg (the C ABI in include/realtimeseg.h, NativeAOT) with ONNX Runtime's and SkiaSharp's native
# libraries beside it, into artifacts/native/ (or $1). The last line printed is the library's path; CI and the
# tests use this script, as a user does.
#   scripts/build-native.sh [OUTPUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(realpath -m "${1:-$root/artifacts/native}")"
"$root/scripts/bootstrap.sh" native-prerequisites
case "$(uname -s)" in
  Linux) lib=librealtimeseg.so ;;
  Darwin) lib=librealtimeseg.dylib ;;
  *) lib=realtimeseg.dll ;;
esac
printf 'build-native: publishing src/Native (NativeAOT) to %s\n' "$out" >&2
# Its own obj/ and bin/ (BuildVariant): publishing never rewrites the assemblies a running build or test uses.
log="$(mktemp)"
if ! dotnet publish "$root/src/Native/RealtimeSeg.Native.csproj" -c Release -o "$out" -nologo -v quiet -p:BuildVariant=native >"$log" 2>&1; then
  grep -E "error" "$log" >&2 || cat "$log" >&2
  rm -f "$log"
  printf 'build-native: error: the NativeAOT publish failed (see above)\n' >&2
  exit 1
fi
rm -f "$log"
# What a host ships: the library, its debug symbols beside it, ONNX Runtime and SkiaSharp; no managed leftovers.
rm -f "$out"/*.pdb "$out"/*.xml
[ -f "$out/$lib" ] || { printf 'build-native: error: %s was not produced\n' "$out/$lib" >&2; exit 1; }
echo "$out/$lib"
