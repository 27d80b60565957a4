#!/usr/bin/env bash
# What the suite starts besides roen itself: Debian's chromium (the browser test; Playwright's
# own download does not work offline), redis-server (the store the replica tests share) and
# haproxy (the load balancer in front of them), openssl (a certificate for the fetcher's
# https pinning test). Installed once, when missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v haproxy >/dev/null 2>&1 || missing+=(haproxy)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the test suite…" >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts the packaged redis-server as a service: the tests start their own.
  if command -v systemctl >/dev/null 2>&1; then systemctl stop redis-server >/dev/null 2>&1 || true; fi
else
  echo "missing for the test suite: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
