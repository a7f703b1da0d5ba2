#!/usr/bin/env bash
# roomcal set-up: installs the Debian packages the project needs (only those missing),
# configures and builds, then runs the requested job.
#
#   scripts/setup.sh demo    build, then run `roomcal demo` on the built-in virtual rooms
#   scripts/setup.sh test    build, run the test suite, then again under ASan + UBSan
#   scripts/setup.sh build   build only
set -euo pipefail

job="${1:-build}"
case "$job" in demo|test|build) ;; *)
  echo "usage: scripts/setup.sh [demo|test|build]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

packages=(
  g++ cmake make pkg-config
  portaudio19-dev libfftw3-dev libeigen3-dev libimgui-dev libglfw3-dev libgl-dev
  catch2 libsndfile1-dev libebur128-dev nlohmann-json3-dev libcli11-dev libsamplerate0-dev
  jackd2 libjack-jackd2-dev xvfb libgl1-mesa-dri fonts-dejavu-core
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "roomcal setup: installing ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    sudo=()
  elif command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [[ -t 0 ]]; }; then
    sudo=(sudo)
  else
    echo "roomcal setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "Install them as root (apt-get install ${missing[*]}) or run this script with sudo." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

jobs="$(nproc 2>/dev/null || echo 2)"
werror=OFF
[[ "${CI:-}" == "true" ]] && werror=ON

build() {  # build DIR TARGET [extra cmake args...]
  local dir="$1" target="$2"; shift 2
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DROOMCAL_WERROR="$werror" "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" --target "$target"
}

# The demo needs only the CLI; tests and the full build need everything.
if [[ "$job" == demo ]]; then build build roomcal; else build build all; fi

case "$job" in
  demo)
    build/roomcal demo
    ;;
  test)
    echo "== test suite (build/)"
    (cd build && ctest -j "$jobs" --output-on-failure)
    echo "== test suite under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
    # -O1 -g1: memory and UB checks need no more, and the build is most of this job's time.
    build build-asan all -DROOMCAL_SANITIZE=ON -DROOMCAL_BUILD_BENCH=OFF -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
    # Every test but the slow and JACK ones: those repeat the same code over seconds of
    # audio, and the JACK ones grade real-time timing, which the sanitizers' slow-down breaks.
    (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
       ctest -j "$jobs" --output-on-failure -LE "slow|jack")
    ;;
esac
