#!/usr/bin/env bash
# Installs the real OAuth clients that internal/clienttest runs against
# clientassert serve: Python Authlib (Debian) and panva/openid-client (npm).
set -uo pipefail
cd "$(dirname "$0")"
fail=0
if ! /usr/bin/python3 -c 'import authlib, requests' >/dev/null 2>&1; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-authlib python3-requests) >/dev/null 2>&1 \
    || { echo "error: could not install python3-authlib python3-requests (apt)"; fail=1; }
fi
if ! (cd node && npm ci --no-audit --no-fund >/dev/null 2>&1); then
  echo "error: could not install openid-client (npm ci --prefix testdata/clients/node)"; fail=1
fi
exit $fail
