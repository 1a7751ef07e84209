#!/usr/bin/env bash
# Folder ingest against its ceiling, in one run (the app module's
# io.genstream.app.bench.IngestBenchmark): writes image-like 28x28 gray and 256x256 RGB files,
# PNG and JPEG, to a temporary folder; for each kind times a bare ImageIO.read loop over the
# files (the ceiling) and a real IngestService folder ingest (decode, normalise to 28x28x1,
# produce to an in-process broker, acknowledged); prints images/s, the ratio against the target
# (ingest >= 0.8 x decode) and ingest against the trainer's ~300 images/s; deletes the files.
# Everything runs in one JVM; nothing needs to be running first.
#
# Usage: bench/ingest.sh [--small-files N] [--large-files N] [--files N] [--json FILE]
#   defaults: --small-files 8000 (28x28) --large-files 300 (256x256); about 70 s on 2 cores;
#   ./genstream bench ingest --help lists the options.
# ./genstream builds the project first when its jar is missing or older than the sources.
# JVM options: GENSTREAM_JAVA_OPTS.
# Exit status: 0 (whether or not the target is met), 1 if the build or a phase failed, 2 usage.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

echo "== $(nproc) cores; load: $(uptime | sed 's/.*load average/load average/')" >&2
exec ./genstream bench ingest "$@"
