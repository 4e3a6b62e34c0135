#!/usr/bin/env bash
# Installs the real components the end-to-end tests use, from Debian, when they are missing:
# curl (HTTP/1.1 and h2c client), protoc (Python stubs for google.rpc), python3-grpcio and
# python3-protobuf (the non-Node gRPC client), python3-websockets (the non-Node WebSocket client),
# rsyslog + rsyslog-gnutls (the authenticated syslog drain's receiver), openssl (test certificates)
# nginx with njs and headers-more (the probe's stock-gateway target, the edge package's gateway), haproxy (the edge package's other gateway) and chromium (the client's browser entry, headless).
# Idempotent; needs root (or the packages present).
set -euo pipefail

missing=()
# `--bench`: the load generators of `npm run bench` (wrk, h2load from nghttp2-client, taskset).
if [ "${1:-}" = "--bench" ]; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
  command -v taskset >/dev/null 2>&1 || missing+=(util-linux)
fi
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
# The well-known .proto files (google/protobuf/any.proto, duration.proto) protoc imports; only a
# Recommends of protobuf-compiler, so not installed with --no-install-recommends.
[ -f /usr/include/google/protobuf/any.proto ] || missing+=(libprotobuf-dev)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v nginx >/dev/null 2>&1 || missing+=(nginx)
# The generated gateway configuration (packages/edge) uses njs (error filter) and headers-more (no Server header).
[ -f /usr/lib/nginx/modules/ngx_http_js_module.so ] || missing+=(libnginx-mod-http-js)
[ -f /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so ] || missing+=(libnginx-mod-http-headers-more-filter)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rsyslogd >/dev/null 2>&1 || missing+=(rsyslog)
dpkg -s rsyslog-gnutls >/dev/null 2>&1 || missing+=(rsyslog-gnutls)
if [ ! -x /usr/bin/python3 ]; then
  missing+=(python3 python3-grpcio python3-protobuf python3-websockets)
else
  /usr/bin/python3 -c 'import grpc' >/dev/null 2>&1 || missing+=(python3-grpcio)
  /usr/bin/python3 -c 'import google.protobuf' >/dev/null 2>&1 || missing+=(python3-protobuf)
  /usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || missing+=(python3-websockets)
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-system-deps: missing Debian packages: ${missing[*]} (install them with apt-get as root)" >&2
  exit 1
fi
echo "ensure-system-deps: apt-get install ${missing[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
