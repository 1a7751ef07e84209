#!/usr/bin/env bash
# Side-by-side training throughput: GenStream's DJL trainer families (the trainer module's
# io.genstream.trainer.bench.TrainerBenchmark: ModelSpec.defaults(family), batch 64, random data)
# vs the same models in PyTorch-Python (bench/pytorch_<family>.py). Rounds alternate DJL/PyTorch
# (the order flips every round; the families take turns within a round) so that background load
# hits both alike; prints every round and a final table of median images/s and the median
# ratio djl/pytorch per family and thread count (target: >= 0.9).
#
# Usage: bench/trainer-vs-pytorch.sh [-f "FAMILIES"] [-r ROUNDS] [-t "THREADS..."] [-w WARMUP]
#                                    [-s STEPS]
#   defaults: -f "cgan dcgan vae" -r 3 -t "2 1" -w 20 -s 100
#   (env FAMILIES, ROUNDS, THREADS, WARMUP, STEPS also work)
# Needs: Maven with the project's other modules installed in ~/.m2 (runs offline) and
# /usr/bin/python3 with torch: if it cannot import torch, the script runs
# "apt-get update && apt-get install -y python3-torch" itself when run as root (else it says so
# and exits 3). Optional env: PYTHON (default /usr/bin/python3), PYTHON_LD_LIBRARY_PATH (library
# path for the Python runs only), JAVA_OPTS.
# Exit status: 0, 2 usage, 3 no torch, 4 a benchmark failed (the rest still runs and the table
# marks the failed family).
set -euo pipefail

FAMILIES=${FAMILIES:-"cgan dcgan vae"}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-"2 1"}
WARMUP=${WARMUP:-20}
STEPS=${STEPS:-100}
BATCH=64
PYTHON=${PYTHON:-/usr/bin/python3}
while getopts "f:r:t:w:s:h" opt; do
  case $opt in
    f) FAMILIES=$OPTARG ;;
    r) ROUNDS=$OPTARG ;;
    t) THREADS=$OPTARG ;;
    w) WARMUP=$OPTARG ;;
    s) STEPS=$OPTARG ;;
    *) sed -n '2,19p' "$0"; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
. "$ROOT/docker/torch-cpu.sh"

for f in $FAMILIES; do
  if [[ ! -f bench/pytorch_$f.py ]]; then
    echo "ERROR: unknown family '$f' (no bench/pytorch_$f.py); families: cgan dcgan vae" >&2
    exit 2
  fi
done

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "== $PYTHON cannot import torch (PyTorch for the system Python is missing)" >&2
  if [[ $(id -u) -eq 0 && $PYTHON == /usr/bin/python3 ]]; then
    echo "== installing it: apt-get update && apt-get install -y python3-torch" >&2
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch
  fi
  if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "ERROR: $PYTHON cannot import torch. Install it (as root) with:" >&2
    echo "  apt-get update && apt-get install -y python3-torch" >&2
    echo "(Debian's package for /usr/bin/python3; pip/PyPI is not needed; or set PYTHON=...)" >&2
    exit 3
  fi
fi

echo "== building trainer test classes (offline)"
# Maven -q still writes colour resets; strip them (pipefail keeps Maven's status).
mvn_trainer() { mvn -B -q -o -pl trainer "$@" 2>&1 | sed -E 's/\x1b\[[0-9;]*m//g; /^\s*$/d'; }
mvn_trainer test-compile
CP_FILE=$(mktemp)
LOG=$(mktemp)
trap 'rm -f "$CP_FILE" "$LOG"' EXIT
mvn_trainer dependency:build-classpath -Dmdep.outputFile="$CP_FILE"
# Through the environment, not -cp: long JVM command lines crash ONNX Runtime.
export CLASSPATH="$ROOT/trainer/target/test-classes:$ROOT/trainer/target/classes:$(cat "$CP_FILE")"

JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx2g"}
# Runs "$@" and prints its line starting with $1's tag; on failure shows the output (on stderr)
# and returns 1.
result_line() {
  local tag=$1; shift
  if ! "$@" >"$LOG" 2>&1 || ! grep "^$tag " "$LOG"; then
    echo "ERROR: the $tag benchmark failed: $*" >&2
    tail -n 15 "$LOG" >&2
    return 1
  fi
}
run_djl() { # family threads
  # shellcheck disable=SC2086
  OMP_NUM_THREADS="$2" MKL_NUM_THREADS="$2" result_line djl \
    java $JAVA_OPTS -Dai.djl.offline=true io.genstream.trainer.bench.TrainerBenchmark \
    family="$1" threads="$2" warmup="$WARMUP" steps="$STEPS" batch="$BATCH"
}
run_py() { # family threads
  # PYTHON_LD_LIBRARY_PATH: e.g. an unpacked libopenblas0-pthread, since Debian's torch uses the
  # system libblas.so.3 (reference BLAS unless an optimised one is installed).
  LD_LIBRARY_PATH="${PYTHON_LD_LIBRARY_PATH:-${LD_LIBRARY_PATH:-}}" \
  OMP_NUM_THREADS="$2" OPENBLAS_NUM_THREADS="$2" result_line pytorch \
    "$PYTHON" "bench/pytorch_$1.py" --threads "$2" --warmup "$WARMUP" --steps "$STEPS" \
    --batch "$BATCH"
}
ips() { sed -E 's/.*images_per_s=([0-9.]+).*/\1/' <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END {
  if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
  else printf "%.4g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "== $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')"
# Debian's torch calls the system libblas.so.3, the slow reference BLAS unless an optimised one
# is installed; a fair comparison gives it OpenBLAS. Unpacked (not installed) into a cache
# directory, so the machine's own BLAS choice is left alone.
if [[ -z "${PYTHON_LD_LIBRARY_PATH:-}" ]]; then
  OPENBLAS_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/genstream-bench/openblas
  OPENBLAS_LIB=$OPENBLAS_DIR/usr/lib/x86_64-linux-gnu/openblas-pthread
  if [[ ! -f "$OPENBLAS_LIB/libblas.so.3" ]]; then
    echo "== fetching libopenblas0-pthread for the PyTorch runs (apt-get download + dpkg -x)"
    ( mkdir -p "$OPENBLAS_DIR" && cd "$OPENBLAS_DIR" && apt-get download libopenblas0-pthread \
        >/dev/null 2>&1 && dpkg -x libopenblas0-pthread_*.deb . ) ||
      echo "== could not fetch OpenBLAS: PyTorch runs on the system BLAS" >&2
  fi
  [[ -f "$OPENBLAS_LIB/libblas.so.3" ]] && PYTHON_LD_LIBRARY_PATH=$OPENBLAS_LIB
fi
echo "== python: $PYTHON, torch $("$PYTHON" -c 'import torch; print(torch.__version__)')," \
  "PYTHON_LD_LIBRARY_PATH=${PYTHON_LD_LIBRARY_PATH:-(none: the system libblas.so.3)}"
echo "== families=[$FAMILIES] rounds=$ROUNDS threads=[$THREADS] warmup=$WARMUP steps=$STEPS" \
  "batch=$BATCH"
declare -A DJL PY RATIO FAILED
status=0
for t in $THREADS; do
  for ((r = 1; r <= ROUNDS; r++)); do
    for f in $FAMILIES; do
      key="$f/$t"
      d="" p=""
      if ((r % 2 == 1)); then halves="djl pytorch"; else halves="pytorch djl"; fi
      for half in $halves; do
        if [[ " ${FAILED[$key]:-}" == *" $half "* ]]; then
          continue # failed before: the other half still runs, for its images/s
        fi
        if [[ $half == djl ]]; then
          d=$(run_djl "$f" "$t") || d=""
          out=$d
        else
          p=$(run_py "$f" "$t") || p=""
          out=$p
        fi
        if [[ -z $out ]]; then
          FAILED[$key]+=" $half "
          status=4
          echo "family=$f threads=$t round=$r  $half FAILED (see above); not run again for" \
            "$f at $t threads"
        fi
      done
      if [[ -n $d ]]; then
        DJL[$key]+="$(ips "$d") "
        echo "family=$f threads=$t round=$r  $d"
      fi
      if [[ -n $p ]]; then
        PY[$key]+="$(ips "$p") "
        echo "family=$f threads=$t round=$r  $p"
      fi
      if [[ -n $d && -n $p ]]; then
        ratio=$(awk -v a="$(ips "$d")" -v b="$(ips "$p")" 'BEGIN { printf "%.3f", a / b }')
        RATIO[$key]+="$ratio "
        echo "family=$f threads=$t round=$r  ratio djl/pytorch=$ratio" \
          "  (load: $(cut -d' ' -f1-3 /proc/loadavg))"
      fi
    done
  done
done

echo "== summary: medians over $ROUNDS rounds (images/s; ratio = median of the per-round ratios)"
printf '%-7s %7s %14s %18s %13s  %s\n' family threads "DJL images/s" "PyTorch images/s" \
  "median ratio" "vs 0.9x target"
for f in $FAMILIES; do
  for t in $THREADS; do
    key="$f/$t"
    if [[ -n ${FAILED[$key]:-} ]]; then
      verdict="$(xargs <<<"${FAILED[$key]}") half FAILED"
    else
      verdict=""
    fi
    dm=$(tr ' ' '\n' <<<"${DJL[$key]:-}" | awk NF | median)
    pm=$(tr ' ' '\n' <<<"${PY[$key]:-}" | awk NF | median)
    rm_=$(tr ' ' '\n' <<<"${RATIO[$key]:-}" | awk NF | median)
    if [[ -z $verdict ]]; then
      verdict=$(awk -v m="$rm_" 'BEGIN { print (m >= 0.9 ? "meets" : "BELOW") }')
    fi
    printf '%-7s %7s %14s %18s %13s  %s\n' "$f" "$t" "$dm" "$pm" "$rm_" "$verdict"
  done
done
exit $status
