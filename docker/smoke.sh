#!/usr/bin/env bash
# docker/smoke.sh: builds the GenStream images with podman, runs ingest, trainer, generator, the
# file sink and the video predictor as containers against a broker, asks for images and checks
# that PNGs come out of the file sink's volume and that every service's health check passes.
# Also validates the compose files (docker-compose config -q) and the Kubernetes manifests
# (k8s/validate.sh) when those tools are available.
#
# Exits 0 with "SKIP:" when podman is absent and cannot be installed (installing needs root
# and apt-get). No registry is needed: when the public base image cannot be pulled, a Debian
# bookworm base with OpenJDK 17 is made locally with debootstrap and `podman import`.
#
# Environment:
#   GENSTREAM_RUNTIME_IMAGE   base image to use (skips the pull and the local base)
#   SMOKE_KEEP=1              leave the containers and the output folder behind
#   SMOKE_TIMEOUT=600         seconds to wait for the first images
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '[smoke] %s\n' "$*" >&2; }
timeout_s="${SMOKE_TIMEOUT:-600}"

# ---- compose and Kubernetes files: checked whenever the tools are there
if command -v docker-compose > /dev/null; then
  docker-compose -f docker/compose.yaml config -q
  docker-compose -f docker/compose.yaml -f docker/compose.gpu.yaml config -q
  say "compose.yaml and compose.gpu.yaml: docker-compose config -q passed"
else
  say "docker-compose not installed: compose files not validated"
fi
docker/k8s/validate.sh || { say "FAIL: Kubernetes manifests"; exit 1; }

# ---- podman
if ! command -v podman > /dev/null || ! podman --version > /dev/null 2>&1; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get > /dev/null; then
    say "installing podman and runc with apt-get"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc > /dev/null) ||
      { say "SKIP: podman could not be installed"; exit 0; }
  else
    say "SKIP: podman is not usable and cannot be installed here (needs root and apt-get)"
    exit 0
  fi
fi
# runc + cgroupfs work where systemd and crun's defaults do not (containers inside containers).
if [[ -z "${CONTAINERS_CONF:-}" ]]; then
  export CONTAINERS_CONF="${TMPDIR:-/tmp}/genstream-smoke-containers.conf"
  cat > "$CONTAINERS_CONF" << 'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
CONF
fi

# ---- base image
base="${GENSTREAM_RUNTIME_IMAGE:-}"
local_base=localhost/genstream-base:bookworm-jre17
if [[ -z "$base" ]]; then
  if podman image exists "$local_base"; then
    base="$local_base"
  elif timeout 120 podman pull -q docker.io/library/eclipse-temurin:17-jre > /dev/null 2>&1; then
    base=docker.io/library/eclipse-temurin:17-jre
  else
    if [[ "$(id -u)" != 0 ]]; then
      say "SKIP: no base image: the registry is unreachable and debootstrap needs root" \
        "(set GENSTREAM_RUNTIME_IMAGE to a local JRE 17 image)"
      exit 0
    fi
    say "no registry reachable: making $local_base with debootstrap (a few minutes)"
    if ! command -v debootstrap > /dev/null; then
      if [[ "$(id -u)" == 0 ]] && command -v apt-get > /dev/null; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null
      else
        say "SKIP: no base image: no registry, and debootstrap is missing"
        exit 0
      fi
    fi
    rootfs="$(mktemp -d -t genstream-rootfs.XXXXXX)"
    debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$rootfs" \
      "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" > "$rootfs.log" 2>&1 ||
      { tail -20 "$rootfs.log" >&2; say "FAIL: debootstrap"; exit 1; }
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | podman import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' - "$local_base" > /dev/null
    rm -rf "$rootfs" "$rootfs.log"
    base="$local_base"
  fi
fi
say "base image: $base"

# ---- the application, built here and copied into the images (APP_SOURCE=prebuilt)
if [[ ! -f app/target/genstream-app.jar || ! -d app/target/lib ]]; then
  say "building the application with Maven"
  mvn -B -q -DskipTests package
fi

tag=smoke
build() {
  say "building genstream-$1"
  podman build -q --format docker --ignorefile docker/Dockerfile.dockerignore \
    -f docker/Dockerfile --target "$1" \
    --build-arg RUNTIME_IMAGE="$base" --build-arg APP_SOURCE=prebuilt \
    -t "localhost/genstream-$1:$tag" . > /dev/null
}
for role in ${SMOKE_ROLES:-trainer ingest generator sink predictor}; do build "$role"; done

# ---- what the images hold
lib() { podman run --rm --no-healthcheck --entrypoint /bin/ls "localhost/genstream-$1:$tag" /opt/genstream/lib; }
for role in generator predictor; do
  if lib "$role" | grep -E '^(pytorch-|api-[0-9])'; then
    say "FAIL: the $role image carries DJL/libtorch"; exit 1
  fi
done
lib trainer | grep -q '^pytorch-native-cpu' || { say "FAIL: the trainer image lacks libtorch"; exit 1; }
if lib trainer | grep -q '^onnxruntime_gpu'; then say "FAIL: the trainer has ONNX Runtime GPU"; exit 1; fi
user="$(podman run --rm --no-healthcheck --entrypoint /usr/bin/id "localhost/genstream-generator:$tag" -u)"
[[ "$user" == 10001 ]] || { say "FAIL: the generator runs as uid $user"; exit 1; }
say "images: generator and predictor without DJL/libtorch, trainer with it, non-root (uid $user)"

# ---- run: a broker (the trainer image's `genstream broker`, which listens on 127.0.0.1 only)
# in a container without a network; the services join its network namespace, so they reach
# it on 127.0.0.1, nothing is published on the host, and the generator answers on 8081 as
# its image's HEALTHCHECK expects.
port=9092
http=8081
out="$(mktemp -d -t genstream-smoke-out.XXXXXX)"
chmod 0777 "$out"
names=(gs-smoke-broker gs-smoke-ingest gs-smoke-trainer gs-smoke-generator gs-smoke-sink
  gs-smoke-predictor)
cleanup() {
  if [[ "${SMOKE_KEEP:-0}" != 1 ]]; then
    # services first: they share the broker container's network namespace
    podman rm -f -t 5 "${names[@]:1}" > /dev/null 2>&1 || true
    podman rm -f -t 5 "${names[0]}" > /dev/null 2>&1 || true
    rm -rf "$out" "$out.podman.log"
  fi
}
trap cleanup EXIT
podman rm -f "${names[@]:1}" > /dev/null 2>&1 || true
podman rm -f "${names[0]}" > /dev/null 2>&1 || true
# run NAME IMAGE COMMAND...; podman options for the next run in the array opts.
opts=()
net=(--network none)
run() { local name=$1 image=$2; shift 2
  # (podman warns that it cannot add systemd timers for health checks; they run on demand)
  # As in k8s/: read-only root filesystem, writable /tmp (podman's tmpfs) and /data.
  podman run -d --name "gs-smoke-$name" "${net[@]}" --memory "${mem:-1500m}" \
    --read-only --tmpfs /data:rw,mode=1777,size=1g ${opts[@]+"${opts[@]}"} \
    "localhost/genstream-$image:$tag" "$@" > /dev/null 2>> "$out.podman.log"
  opts=(); }
b=(-b "127.0.0.1:$port")
run broker trainer broker --port "$port"
net=(--network container:gs-smoke-broker)
for _ in $(seq 1 60); do
  podman logs gs-smoke-broker 2>&1 | grep -q "broker running" && break; sleep 2
done
# They share one network namespace, so each management port is its own (the images' default
# is 8090); the health checks below call the images' own health-check script on them.
run ingest ingest ingest "${b[@]}" --images-per-second 300 --management-port 8091
mem=2500m  # libtorch, unpacked into the /data tmpfs, counts too
run trainer trainer trainer "${b[@]}" --export-every 20 --samples /data/samples \
  --management-port 8092
mem=
run generator generator generator "${b[@]}" --http-host 0.0.0.0 --http-port "$http"
opts=(-v "$out:/data/out")
run sink sink sink files "${b[@]}" --out /data/out --management-port 8093
# The predictor needs a framepred model to predict, which this smoke does not train; its
# readiness is only its model registry having read the models topic to the end, so it gets
# ready (and stays idle) without one. It alone uses the image's default management port, 8090,
# so that the image's own HEALTHCHECK can be run on it.
run predictor predictor predictor "${b[@]}" --model video --management-port 8090

say "waiting for the generator's /v2/health/ready and a first model version"
deadline=$((SECONDS + timeout_s))
until podman healthcheck run gs-smoke-generator > /dev/null 2>&1; do
  (( SECONDS < deadline )) || { podman logs --tail 20 gs-smoke-generator >&2; say "FAIL: not ready"; exit 1; }
  sleep 3
done
say "generator healthy (its image's HEALTHCHECK, run by podman healthcheck run: /v2/health/ready answered 200)"
until podman exec gs-smoke-generator genstream request "${b[@]}" --count 4 --out /tmp/req \
    --timeout 20s > /dev/null 2>&1; do
  (( SECONDS < deadline )) || { podman logs --tail 20 gs-smoke-trainer >&2; say "FAIL: no images"; exit 1; }
  sleep 5
done
for _ in $(seq 1 30); do
  n="$(find "$out" -name '*.png' | wc -l)"
  (( n >= 4 )) && break; sleep 2
done
find "$out" -name '*.png' | head -4 >&2
[[ -s "$out/manifest.jsonl" ]] || { say "FAIL: no manifest.jsonl from the file sink"; exit 1; }
(( n >= 4 )) || { say "FAIL: $n PNGs in the sink's volume"; exit 1; }
for check in ingest:8091 trainer:8092 sink:8093 predictor:8090; do
  name="${check%%:*}" mport="${check##*:}"
  podman exec "gs-smoke-$name" /usr/local/bin/genstream-healthcheck "$mport" /health/live \
    > /dev/null 2>&1 || { podman logs --tail 20 "gs-smoke-$name" >&2
      say "FAIL: $name's /health/live on its management port $mport"; exit 1; }
  until podman exec "gs-smoke-$name" /usr/local/bin/genstream-healthcheck "$mport" /health/ready \
      > /dev/null 2>&1; do
    (( SECONDS < deadline )) || { podman logs --tail 20 "gs-smoke-$name" >&2
      say "FAIL: $name's /health/ready on its management port $mport"; exit 1; }
    sleep 2
  done
  podman exec "gs-smoke-$name" /usr/local/bin/genstream-healthcheck "$mport" /metrics \
    > /dev/null 2>&1 || { say "FAIL: $name's /metrics on $mport"; exit 1; }
  say "$name healthy: the image's health-check script got 200 from /health/live, /health/ready and /metrics on its management port $mport"
done
podman healthcheck run gs-smoke-predictor > /dev/null 2>&1 ||
  { podman logs --tail 20 gs-smoke-predictor >&2; say "FAIL: the predictor image's HEALTHCHECK"; exit 1; }
# The body too, with bash's /dev/tcp as the health-check script does (the images have no curl):
# the predictor's own meters show that this port is the predictor's.
metrics="$(podman exec gs-smoke-predictor bash -c 'exec 3<>"/dev/tcp/127.0.0.1/8090"
  printf "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n" >&3; timeout 10 cat <&3')" || true
grep -q '^genstream_predictor_frames_total' <<< "$metrics" ||
  { say "FAIL: no genstream_predictor_frames_total in the predictor's /metrics"; exit 1; }
say "predictor healthy by its image's HEALTHCHECK (podman healthcheck run); its /metrics has its own meters"
say "PASS: $n PNGs and manifest.jsonl in the file sink's volume; generator, ingest, trainer, sink and predictor healthy"
