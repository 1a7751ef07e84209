#!/usr/bin/env bash
# The generator's speed, each figure next to its ceiling, in one run on one model and batch size
# (the app module's io.genstream.app.bench.GeneratorBenchmark): (1) a bare ONNX Runtime loop,
# (2) the generation engine alone, (3) the full Kafka path with an in-process broker and a real
# GeneratorService, (4) latency at half that load next to a raw Kafka round trip and one batch
# inference, (5) DJL vs ONNX Runtime on the same network; then the targets and whether each was
# met. Everything runs in one JVM; nothing needs to be running first.
#
# Usage: bench/generator.sh [--family cgan|dcgan|vae] [--batch-size N] [--requests N]
#                           [--seconds S] [--ort-threads N] [--json FILE]
#   defaults: --family cgan --batch-size 64 --requests 12000 --seconds 8 --ort-threads 1
#   (about 2 minutes on 2 cores, most of it warming up the Kafka phases until the JIT settles);
#   ./genstream bench generator --help lists the options.
# ./genstream builds the project first when its jar is missing or older than the sources.
# JVM options: GENSTREAM_JAVA_OPTS.
# Exit status: 0 (whether or not the targets are met), 1 if the build or a phase failed,
# 2 usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

echo "== $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')" >&2
exec ./genstream bench generator "$@"
