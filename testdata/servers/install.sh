#!/usr/bin/env bash
# Installs what the real token endpoints in testdata/servers need:
# node-oidc-provider (npm), Authlib and Flask (Debian packages), and the
# fosite modules of the nested Hydra module. Safe to run again. Quiet on
# success; on failure prints what failed and exits non-zero.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT

fail() {
  echo "error: testdata/servers/install.sh: $1" >&2
  tail -n 20 "$log" >&2
  exit 1
}

if ! grep -q '"version": "9.13.3"' "$here/oidc-provider/node_modules/oidc-provider/package.json" 2>/dev/null; then
  command -v npm >/dev/null 2>&1 || fail "npm not found (node-oidc-provider needs node 20 and npm)"
  npm ci --prefix "$here/oidc-provider" --no-audit --no-fund >"$log" 2>&1 || fail "npm ci for node-oidc-provider failed"
fi

if ! /usr/bin/python3 -c 'import authlib, flask' >/dev/null 2>&1; then
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found (Authlib comes from Debian's python3-authlib)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-authlib python3-flask) >"$log" 2>&1 \
    || fail "apt-get install python3-authlib python3-flask failed"
fi

command -v go >/dev/null 2>&1 || fail "go not found"
(cd "$here/hydra" && GOWORK=off go mod download) >"$log" 2>&1 || fail "go mod download for the hydra server (fosite) failed"
# Compiling fosite once here fills the build cache, so the test's own build
# of the server only links and stays well inside go test's timeout.
(cd "$here/hydra" && GOWORK=off go build -o /dev/null .) >"$log" 2>&1 || fail "building the hydra server failed"
