#!/usr/bin/env bash
# Batch benchmark: `clientassert lint --batch FILE --summary` against a bare
# go-jose v4 loop (internal/bench/josebaseline) over the same generated file.
#
#   internal/bench/batch.sh            # 1,000,000 tokens without a key, 200,000 with
#   TOKENS=100000 KEY_TOKENS=20000 internal/bench/batch.sh
#
# Without a key both sides run under GOMAXPROCS=1 with --jobs 1. With a key,
# lint runs with --jobs 1 and --jobs $(nproc). Rates are given per second of
# wall time and per second of CPU time (user+sys), which is the steadier
# figure on a shared machine. Peak RSS comes from /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOKENS=${TOKENS:-1000000}
KEY_TOKENS=${KEY_TOKENS:-200000}
NOW=2026-11-27T12:00:00Z
CLIENT_ID=8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3
JWKS=testdata/keys/jwks.json

if [[ ! -x /usr/bin/time ]]; then
  echo "batch.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== building (release flags: CGO_ENABLED=0 -trimpath)"
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/clientassert" ./cmd/clientassert
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$tmp/josebaseline" ./internal/bench/josebaseline
go build -o "$tmp/gentokens" ./internal/bench/gentokens
echo "== generating $TOKENS tokens"
"$tmp/gentokens" -n "$TOKENS" -o "$tmp/tokens.txt"
head -n "$KEY_TOKENS" "$tmp/tokens.txt" > "$tmp/key-tokens.txt"

# measure LABEL LINES CMD...: prints one row and remembers rates by label.
declare -A WALL_RATE CPU_RATE
measure() {
  local label=$1 lines=$2
  shift 2
  local stats
  local rc=0
  /usr/bin/time -o "$tmp/time" -f "%e %U %S %M" "$@" > "$tmp/out" 2>"$tmp/err" || rc=$?
  # lint exits 1 when some items fail, which the generated file has on purpose.
  if ((rc > 1)); then
    echo "batch.sh: $label failed:" >&2
    cat "$tmp/err" >&2
    exit 2
  fi
  stats=$(tail -n 1 "$tmp/time")
  read -r wall user sys rss <<<"$stats"
  WALL_RATE[$label]=$(awk -v n="$lines" -v t="$wall" 'BEGIN { printf "%.0f", n / t }')
  CPU_RATE[$label]=$(awk -v n="$lines" -v u="$user" -v s="$sys" 'BEGIN { printf "%.0f", n / (u + s) }')
  printf "  %-34s %8.2f s wall %8.2f s cpu %9s tok/s wall %9s tok/s cpu %7.1f MB peak RSS\n" \
    "$label" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')" "${WALL_RATE[$label]}" "${CPU_RATE[$label]}" \
    "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "== without a key: $TOKENS tokens, GOMAXPROCS=1 ($(nproc) cores on this machine)"
measure "go-jose loop" "$TOKENS" env GOMAXPROCS=1 "$tmp/josebaseline" "$tmp/tokens.txt"
measure "lint --batch --summary --jobs 1" "$TOKENS" env GOMAXPROCS=1 "$tmp/clientassert" lint --batch "$tmp/tokens.txt" --summary --jobs 1 --now "$NOW"
echo "  ratio lint/go-jose: $(ratio "${WALL_RATE[lint --batch --summary --jobs 1]}" "${WALL_RATE[go-jose loop]}") (wall), $(ratio "${CPU_RATE[lint --batch --summary --jobs 1]}" "${CPU_RATE[go-jose loop]}") (cpu); >= 1 means lint is at least as fast"

echo "== with a key: $KEY_TOKENS tokens"
measure "go-jose loop, verify" "$KEY_TOKENS" env GOMAXPROCS=1 "$tmp/josebaseline" -jwks "$JWKS" "$tmp/key-tokens.txt"
for jobs in 1 "$(nproc)"; do
  measure "lint --batch --jwks --jobs $jobs" "$KEY_TOKENS" "$tmp/clientassert" lint --batch "$tmp/key-tokens.txt" --summary --jobs "$jobs" \
    --now "$NOW" --client-id "$CLIENT_ID" --jwks "$JWKS"
done
echo "  ratio lint --jobs 1 / go-jose verify loop: $(ratio "${WALL_RATE[lint --batch --jwks --jobs 1]}" "${WALL_RATE[go-jose loop, verify]}") (wall), $(ratio "${CPU_RATE[lint --batch --jwks --jobs 1]}" "${CPU_RATE[go-jose loop, verify]}") (cpu)"
echo "  scaling --jobs $(nproc) / --jobs 1: $(ratio "${WALL_RATE[lint --batch --jwks --jobs $(nproc)]}" "${WALL_RATE[lint --batch --jwks --jobs 1]}") (wall)"
