#!/usr/bin/env bash
# The GPU figures of issue 4, in one call on a lent GPU machine (no Node, no
# npm there). Prepare here first:
#   node scripts/bundle-device-bench.mjs         → .device/{gpu-dawn,pipeline-dawn,bandwidth-dawn}.mjs
#   .device/node.xz          an x86-64 Node 20 binary, xz-compressed
#   .device/dawn.node.xz     dawn.node of the npm package `webgpu`, xz-compressed,
#   .device/node_modules/webgpu/{index.js,package.json}
#   .gl/*.deb                the Vulkan loader (see the device tool's README)
# then run this with .device and .gl carried:
#   bash scripts/device-bench.sh ["labelling stages bandwidth pipeline", any of them]
# Writes its logs to $OUT (or /tmp/qw-out).
# QW_BENCH_PROFILE=1 adds the pipeline's GPU time per compute pass (bench/pipeline-dawn.ts):
# QW_BENCH_RUNS + 1 more calls per size, about 100 s at 64 Mpx on the H100 by the last wall
# times, so within the 10-minute call limit pair it with QW_BENCH_CPU_MAX_MPX=16 (the CPU twins
# take 118 s at 64 Mpx).
# QW_BENCH_HOLD_CLOCKS=1 (or only) adds the same calls with the SM clock held up by a queue of
# one-workgroup spin kernels (bench/pipeline-dawn.ts): run as is, between host round trips the
# H100's governor left most of the pipeline's submissions at 495-630 MHz of 1980.
set -uo pipefail
out=${OUT:-/tmp/qw-out}
# Setup failures end the run; a benchmark that fails still lets the next one run.
set -e
mkdir -p "$out" /tmp/qw/masks
for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -f "$icd" ]; then export VK_DRIVER_FILES=$icd; fi
xz -dc .device/node.xz >/tmp/qw/node && chmod +x /tmp/qw/node
mkdir -p .device/node_modules/webgpu/dist/linux-x64
xz -dc .device/dawn.node.xz >.device/node_modules/webgpu/dist/linux-x64/dawn.node
set +e
nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,memory.total --format=csv |
  tee "$out/gpu.txt"
export QW_BENCH_MPX=${QW_BENCH_MPX:-16,64}
# Which parts: "labelling" (stages + CuPy/OpenCV on the same masks), "stages" (the
# stages alone), "bandwidth" (Dawn's copy rates, a ceiling for the kernels),
# "pipeline" (the whole analysis); default labelling and pipeline.
parts=${1:-labelling pipeline}
# One bundled bench: its output (less Dawn's XDG_RUNTIME_DIR notice) on screen and in $out/$2.
run_bench() {
  echo "== bench/$1.ts"
  /tmp/qw/node ".device/$1.mjs" 2>&1 | grep -v XDG_RUNTIME_DIR | tee "$out/$2"
}
if [[ $parts == *stages* ]]; then
  run_bench gpu-dawn gpu-stages.txt
fi
if [[ $parts == *labelling* ]]; then
  QW_BENCH_DUMP=/tmp/qw/masks run_bench gpu-dawn gpu-dawn.txt
  echo '== bench/cupy_label.py'
  PYTHONUNBUFFERED=1 python3 bench/cupy_label.py /tmp/qw/masks 2>&1 | tee "$out/cupy.txt"
fi
if [[ $parts == *bandwidth* ]]; then
  run_bench bandwidth-dawn bandwidth-dawn.txt
fi
if [[ $parts == *pipeline* ]]; then
  run_bench pipeline-dawn pipeline-dawn.txt
fi
