#!/usr/bin/env bash
# GPU check for a bare Linux machine with an NVIDIA GPU and no .NET (the device machine some sessions are lent).
#
#   bench/gpu-check.sh pack [DIR]   here (with the .NET SDK): a self-contained, trimmed linux-x64 publish of the CPU
#                                   flavour and the demo model, as DIR/gpu-check.tar.xz beside this script (default
#                                   DIR: artifacts/gpu-check), checked to stay under 64 MiB
#   bench/gpu-check.sh run [DIR]    there: reports what the machine has (driver, libcuda, CUDA runtime, cuDNN,
#                                   TensorRT, EGL, Vulkan), then runs info, bench and bench-render on it and prints
#                                   the figures (bench-render: the EGL overlay on the NVIDIA driver)
#
# The CPU flavour is what travels (the GPU flavour is 322 MB): on the GPU machine it measures the renderer on the
# NVIDIA driver and inference on the CPU provider; the report says what a GPU-flavour build would find there.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:-}"
dir="${2:-$root/artifacts/gpu-check}"
limit_mib=64

pack() {
  rm -rf "$dir" && mkdir -p "$dir"
  local stage; stage="$(mktemp -d)"; trap 'rm -rf "$stage"' RETURN
  mkdir -p "$stage/models"
  echo "gpu-check: publishing the CPU flavour (self-contained, trimmed, linux-x64) into $dir" >&2
  # Trimming removes what reflection-free code cannot reach; TrimMode=partial trims only assemblies marked
  # trimmable (the framework), so our own code and ORT's managed API stay whole.
  dotnet publish "$root/src/App/RealtimeSeg.App.csproj" -c Release -r linux-x64 --self-contained -nologo -v quiet \
    -p:OrtFlavor=cpu -p:BuildVariant=gpu-check -p:PublishTrimmed=true -p:TrimMode=partial -p:SuppressTrimAnalysisWarnings=true \
    -p:DebugType=none -o "$stage/app" >&2 || { echo "gpu-check: publish failed" >&2; exit 1; }
  cp "$root/models/shapes_maskrcnn.onnx" "$root/models/shapes_maskrcnn.labels.txt" "$stage/models/"
  # Compressed: the app with ONNX Runtime and SkiaSharp's natives is about 75 MiB unpacked.
  tar -C "$stage" -cf - app models | xz -6 -T0 > "$dir/gpu-check.tar.xz"
  cp "${BASH_SOURCE[0]}" "$dir/gpu-check.sh"
  local mib; mib=$(( $(du -sb "$dir" | cut -f1) / 1048576 ))
  echo "gpu-check: $dir is $mib MiB (limit $limit_mib)" >&2
  [ "$mib" -lt "$limit_mib" ] || { echo "gpu-check: over the $limit_mib MiB a device run can carry" >&2; exit 1; }
  echo "$dir"
}

# The first path the dynamic loader knows for a library, or "missing".
lib() { ldconfig -p 2>/dev/null | awk -v n="$1" '$1 ~ "^"n {print $NF; exit}' | grep . || echo missing; }

report() {
  echo "== machine"
  uname -srm
  nproc | sed 's/^/cores: /'
  if command -v nvidia-smi >/dev/null; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/gpu: /'
    nvidia-smi | grep -o 'CUDA Version: [0-9.]*' | sed 's/^/driver supports /'
  else
    echo "gpu: nvidia-smi not found"
  fi
  for l in libcuda.so.1 libcudart.so.13 libcudart.so.12 libcublasLt.so.13 libcublasLt.so.12 libcudnn.so.9 libnvinfer.so.10 \
           libEGL.so.1 libEGL_nvidia.so.0 libGLX_nvidia.so.0 libvulkan.so.1; do
    printf '%-20s %s\n' "$l" "$(lib "$l")"
  done
  ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d 2>/dev/null | sed 's/^/vulkan icd: /'
  echo "ONNX Runtime GPU flavour (1.31.0) would need: libcudart.so.13, libcublasLt.so.13, libcudnn.so.9 (TensorRT: libnvinfer.so.10)"
}

run() {
  [ -f "$dir/gpu-check.tar.xz" ] || { echo "gpu-check: $dir/gpu-check.tar.xz not found; run 'bench/gpu-check.sh pack' first" >&2; exit 1; }
  local unpacked; unpacked="$(mktemp -d)"; trap 'rm -rf "$unpacked"' RETURN
  xz -dc "$dir/gpu-check.tar.xz" | tar -C "$unpacked" -xf -
  local app="$unpacked/app/realtimeseg" model="$unpacked/models/shapes_maskrcnn.onnx"
  report
  echo "== info"
  "$app" info --model "$model"
  echo "== bench (bare Run, CPU provider)"
  "$app" bench --model "$model" --runs 200
  echo "== bench-render (EGL overlay on this machine's GL driver)"
  "$app" bench-render --model "$model" --viewport 1280x720 --instances 1,10,50 --frames 200 --seconds 5
}

case "$mode" in
  pack) pack ;;
  run) run ;;
  *) echo "usage: bench/gpu-check.sh pack|run [DIR]" >&2; exit 2 ;;
esac
