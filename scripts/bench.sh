#!/usr/bin/env bash
# Benchmarks against peers (shared/specs/benchmarks.md): installs the peers if missing,
# builds in Release, runs each benchmark. Figures go into docs/PERFORMANCE.md by hand,
# with this command. Usage: scripts/bench.sh [measure runs] [fit runs] [render runs]
# [render seconds] [compare runs]; the render benchmark alone:
# build-bench/bench_render_vs_peers 5 60, the compare one: build-bench/bench_compare_vs_ffmpeg 5 300.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/setup.sh build >/dev/null
peers=(drc time jconvolver sox ffmpeg)
missing=()
for p in "${peers[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=(); [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DROOMCAL_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" --target bench_measure_vs_drc bench_fit_vs_drc bench_render_vs_peers bench_compare_vs_ffmpeg roomcal >/dev/null
echo "== measurement vs DRC glsweep/lsconv"
build-bench/bench_measure_vs_drc "${1:-5}"
echo "== correction fit vs DRC (normal-48.0.drc)"
build-bench/bench_fit_vs_drc "${2:-3}"
echo "== offline render vs fconvolver, sox, ffmpeg (runs, seconds of input)"
build-bench/bench_render_vs_peers "${3:-5}" "${4:-60}"
echo "== compare of two 5-minute files vs ffmpeg ebur128 (runs, seconds)"
build-bench/bench_compare_vs_ffmpeg "${5:-5}" 300
