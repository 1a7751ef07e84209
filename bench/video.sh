#!/usr/bin/env bash
# The video predictor's latency next to its floors, in one run (the app module's
# io.genstream.app.bench.VideoBenchmark): (1) one batch inference, FramePredictor.predict on a
# batch of --streams contexts; (2) a raw Kafka round trip of a frame-sized record; (3) frame
# produced → predicted next frame consumed, with an in-process broker, a real prediction
# service and --streams moving-digit cameras paced at --fps. Target (issue 13): latency p99 ≤
# round-trip p99 + one batch inference p99 + 10 ms at 8 streams × 10 fps, no prediction lost.
# Everything runs in one JVM; nothing needs to be running first.
#
# Usage: bench/video.sh [--streams N] [--fps F] [--seconds S] [--warmup S] [--size 32|64]
#                       [--ort-threads N] [--stagger] [--json FILE]
#   defaults: --streams 8 --fps 10 --seconds 30 --warmup 10 --size 32 --ort-threads 1
#   (about a minute); ./genstream bench video --help lists the options.
# ./genstream builds the project first when its jar is missing or older than the sources.
# JVM options: GENSTREAM_JAVA_OPTS.
# Exit status: 0 (whether or not the targets are met), 1 if the build or a phase failed,
# 2 usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

echo "== $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')" >&2
exec ./genstream bench video "$@"
