#!/usr/bin/env bash
# docker/compose-smoke.sh: runs docker/compose.yaml with docker-compose (v1.29+) against
# podman's Docker-compatible API: Kafka, the one-shot topics service, ingest, trainer, two
# generators and the file sink; waits for both generators' health checks, asks for images and
# checks that PNGs land in the sink's volume and that both generators joined one group.
# Uses the images docker/smoke.sh builds (tag "smoke"; it runs smoke.sh first if they are
# missing). Kafka: GENSTREAM_KAFKA_IMAGE, else apache/kafka:4.1.0 if it can be pulled, else a
# TEST-ONLY stand-in built from docker/test/kafka-standin (Kafka's own broker from the Kafka
# jars of the trainer image, configured from the same KAFKA_* variables).
# Skips (exit 0) without docker-compose or podman. Host ports: 18091, 18092, 19094 (override
# with GENSTREAM_HTTP_PORT_1/2, GENSTREAM_KAFKA_PORT).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { printf '[compose-smoke] %s\n' "$*" >&2; }
command -v docker-compose > /dev/null || { say "SKIP: docker-compose is not installed"; exit 0; }
if ! command -v podman > /dev/null || ! podman --version > /dev/null 2>&1; then
  say "SKIP: podman is not usable (docker/smoke.sh installs it as root)"; exit 0
fi
if [[ -z "${CONTAINERS_CONF:-}" ]]; then
  export CONTAINERS_CONF="${TMPDIR:-/tmp}/genstream-smoke-containers.conf"
  printf '%s\n' '[containers]' 'default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]' \
    '[engine]' 'runtime = "runc"' 'cgroup_manager = "cgroupfs"' > "$CONTAINERS_CONF"
fi
export GENSTREAM_TAG=smoke
for role in ingest trainer generator sink; do
  if ! podman image exists "localhost/genstream-$role:smoke"; then
    say "images missing: running docker/smoke.sh to build them"
    docker/smoke.sh
    break
  fi
done
if ! podman image exists localhost/genstream-trainer:smoke; then
  say "SKIP: docker/smoke.sh built no images"; exit 0
fi

if [[ -z "${GENSTREAM_KAFKA_IMAGE:-}" ]]; then
  if timeout 120 podman pull -q docker.io/apache/kafka:4.1.0 > /dev/null 2>&1; then
    export GENSTREAM_KAFKA_IMAGE=docker.io/apache/kafka:4.1.0
  else
    say "apache/kafka cannot be pulled: building the TEST-ONLY Kafka stand-in"
    podman build -q --format docker -t localhost/genstream-kafka-standin:test \
      docker/test/kafka-standin > /dev/null
    export GENSTREAM_KAFKA_IMAGE=localhost/genstream-kafka-standin:test
  fi
fi
say "Kafka image: $GENSTREAM_KAFKA_IMAGE"
export GENSTREAM_HTTP_PORT_1="${GENSTREAM_HTTP_PORT_1:-18091}"
export GENSTREAM_HTTP_PORT_2="${GENSTREAM_HTTP_PORT_2:-18092}"
export GENSTREAM_KAFKA_PORT="${GENSTREAM_KAFKA_PORT:-19094}"

work="$(mktemp -d -t genstream-compose-smoke.XXXXXX)"
export DOCKER_HOST="unix://$work/podman.sock"
podman system service --time=0 "$DOCKER_HOST" > "$work/service.log" 2>&1 &
service_pid=$!
project=genstream-smoke
compose=(docker-compose -p "$project" -f docker/compose.yaml -f docker/test/compose.smoke.yaml)
hc_pid=
cleanup() {
  [[ -n "$hc_pid" ]] && kill "$hc_pid" 2> /dev/null || true
  if [[ "${SMOKE_KEEP:-0}" != 1 ]]; then
    "${compose[@]}" down -v -t 10 > /dev/null 2>&1 || true
  fi
  kill "$service_pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 1 30); do [[ -S "$work/podman.sock" ]] && break; sleep 1; done

# Podman runs health checks from systemd timers; without systemd, run them here.
( while true; do
    for c in $(podman ps --filter "name=${project}_" --format '{{.Names}}'); do
      podman healthcheck run "$c" > /dev/null 2>&1 || true
    done
    sleep 5
  done ) &
hc_pid=$!

say "docker-compose up (kafka healthy -> topics completes -> services)"
"${compose[@]}" up -d --no-build 2>&1 | grep -v '^$' >&2
podman ps -a --filter "name=${project}_" --format '{{.Names}}  {{.Status}}' >&2
[[ "$(podman inspect -f '{{.State.ExitCode}}' "${project}_topics_1")" == 0 ]] ||
  { say "FAIL: the topics service did not exit 0"; exit 1; }

deadline=$((SECONDS + ${SMOKE_TIMEOUT:-600}))
for port in "$GENSTREAM_HTTP_PORT_1" "$GENSTREAM_HTTP_PORT_2"; do
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v2/health/ready")" == 200 ]]; do
    (( SECONDS < deadline )) || { say "FAIL: generator on $port not ready"; exit 1; }
    sleep 3
  done
  say "http://127.0.0.1:$port/v2/health/ready: 200 (published port)"
done
gen="${project}_generator-1_1"
for i in $(seq 1 1000); do
  if podman exec "$gen" genstream request -b kafka:9092 --count 4 --out /tmp/req \
      --timeout 20s > /dev/null 2>&1; then break; fi
  (( SECONDS < deadline )) || { podman logs --tail 20 "${project}_trainer_1" >&2; say "FAIL: no images"; exit 1; }
  sleep 5
done
# a few more, so that both generators of the group take requests
for i in 1 2 3 4 5 6; do
  podman exec "$gen" genstream request -b kafka:9092 --count 1 --out /tmp/req --timeout 30s \
    > /dev/null 2>&1 || true
done
n=0
for _ in $(seq 1 30); do
  n="$(podman exec "${project}_sink_1" sh -c 'find /data/out -name "*.png" | wc -l')"
  (( n >= 4 )) && break; sleep 2
done
(( n >= 4 )) || { say "FAIL: $n PNGs in the sink's volume"; exit 1; }
say "$n PNGs in the sink's volume (genstream-out)"
status="$(podman exec "$gen" genstream status -b kafka:9092)"
printf '%s\n' "$status" | sed -n '/consumer groups/,/^$/p' >&2
printf '%s\n' "$status" | grep -Eq 'genstream-generator +Stable +2 members' ||
  { say "FAIL: the two generators are not one group of 2 members"; exit 1; }
say "PASS: compose stack up, both generators ready and in one group, images in the file sink"
