#!/usr/bin/env bash
# Side-by-side training throughput: GenStream's DJL ConditionalGan (trainer module) vs the same
# class-conditional GAN in PyTorch-Python (bench/pytorch_cgan.py), GanConfig.digits(), batch 64,
# random data. Rounds alternate DJL/PyTorch (the order flips every round) so that background
# load hits both alike; prints every round and the median ratio djl/pytorch per thread count.
#
# Usage: bench/trainer-vs-pytorch.sh [-r ROUNDS] [-t "THREADS..."] [-w WARMUP] [-s STEPS]
#   defaults: -r 3 -t "2 1" -w 20 -s 100     (env ROUNDS, THREADS, WARMUP, STEPS also work)
# Needs: Maven with the project installed in ~/.m2 (runs offline), /usr/bin/python3 with torch
# (apt-get install -y python3-torch). Optional env: PYTHON (default /usr/bin/python3),
# PYTHON_LD_LIBRARY_PATH (library path for the Python run only), JAVA_OPTS.
set -euo pipefail

ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-"2 1"}
WARMUP=${WARMUP:-20}
STEPS=${STEPS:-100}
PYTHON=${PYTHON:-/usr/bin/python3}
while getopts "r:t:w:s:h" opt; do
  case $opt in
    r) ROUNDS=$OPTARG ;;
    t) THREADS=$OPTARG ;;
    w) WARMUP=$OPTARG ;;
    s) STEPS=$OPTARG ;;
    *) sed -n '2,10p' "$0"; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "ERROR: $PYTHON cannot import torch (PyTorch for the system Python is missing)." >&2
  echo "Install it with:  apt-get update && apt-get install -y python3-torch" >&2
  echo "(Debian's package; pip/PyPI is not needed. Use /usr/bin/python3, or set PYTHON=...)" >&2
  exit 3
fi

echo "== building trainer test classes (offline)"
mvn -q -o -pl trainer test-compile
CP_FILE=$(mktemp)
trap 'rm -f "$CP_FILE"' EXIT
mvn -q -o -pl trainer dependency:build-classpath -Dmdep.outputFile="$CP_FILE" >/dev/null
# Through the environment, not -cp: long JVM command lines crash ONNX Runtime.
export CLASSPATH="$ROOT/trainer/target/test-classes:$ROOT/trainer/target/classes:$(cat "$CP_FILE")"

JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx2g"}
LOG=$(mktemp)
trap 'rm -f "$CP_FILE" "$LOG"' EXIT
# Runs "$@" and prints its line starting with $1's tag; on failure shows the output and stops.
result_line() {
  local tag=$1; shift
  if ! "$@" >"$LOG" 2>&1 || ! grep "^$tag " "$LOG"; then
    echo "ERROR: the $tag benchmark failed: $*" >&2
    tail -n 30 "$LOG" >&2
    exit 4
  fi
}
run_djl() {
  # shellcheck disable=SC2086
  OMP_NUM_THREADS="$1" result_line djl java $JAVA_OPTS -Dai.djl.offline=true \
    io.genstream.trainer.bench.TrainerBenchmark \
    threads="$1" warmup="$WARMUP" steps="$STEPS" batch=64
}
run_py() {
  # PYTHON_LD_LIBRARY_PATH: e.g. an unpacked libopenblas0-pthread, since Debian's torch uses the
  # system libblas.so.3 (reference BLAS unless an optimised one is installed).
  LD_LIBRARY_PATH="${PYTHON_LD_LIBRARY_PATH:-${LD_LIBRARY_PATH:-}}" \
  OMP_NUM_THREADS="$1" result_line pytorch "$PYTHON" bench/pytorch_cgan.py --threads "$1" \
    --warmup "$WARMUP" --steps "$STEPS" --batch 64
}
ips() { sed -E 's/.*images_per_s=([0-9.]+).*/\1/' <<<"$1"; }

echo "== $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')"
echo "== rounds=$ROUNDS threads=[$THREADS] warmup=$WARMUP steps=$STEPS batch=64"
summary=""
for t in $THREADS; do
  ratios=()
  for ((r = 1; r <= ROUNDS; r++)); do
    if ((r % 2 == 1)); then
      d=$(run_djl "$t"); p=$(run_py "$t")
    else
      p=$(run_py "$t"); d=$(run_djl "$t")
    fi
    ratio=$(awk -v a="$(ips "$d")" -v b="$(ips "$p")" 'BEGIN { printf "%.3f", a / b }')
    ratios+=("$ratio")
    echo "threads=$t round=$r  $d"
    echo "threads=$t round=$r  $p"
    echo "threads=$t round=$r  ratio djl/pytorch=$ratio   (load: $(cut -d' ' -f1-3 /proc/loadavg))"
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
  verdict=$(awk -v m="$median" 'BEGIN { print (m >= 0.9 ? "meets" : "BELOW") }')
  line="threads=$t median ratio djl/pytorch=$median over $ROUNDS rounds ($verdict the 0.9x target)"
  echo "$line"
  summary+="$line"$'\n'
done
echo "== summary"
printf '%s' "$summary"
