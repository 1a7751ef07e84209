#!/bin/bash
# genstream-healthcheck PORT PATH: exit 0 if GET http://127.0.0.1:PORT/PATH answers 200.
# Plain bash (/dev/tcp): the images need no curl or wget.
port="${1:-8081}"
path="${2:-/v2/health/ready}"
exec 3<>"/dev/tcp/127.0.0.1/${port}" || exit 1
printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "${path}" >&3
IFS= read -r -t 5 status <&3 || exit 1
case "${status}" in
  "HTTP/"*" 200"*) exit 0 ;;
  *) exit 1 ;;
esac
