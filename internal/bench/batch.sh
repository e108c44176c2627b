#!/usr/bin/env bash
# Batch benchmark: `clientassert lint --batch FILE --summary` against a bare
# go-jose v4 loop (internal/bench/josebaseline) over the same generated file.
#
#   internal/bench/batch.sh                    # 1,000,000 tokens without a key, 200,000 with
#   TOKENS=100000 KEY_TOKENS=20000 ROUNDS=2 internal/bench/batch.sh
#   BASELINE=main internal/bench/batch.sh      # also a build of another revision
#
# Without a key both sides run under GOMAXPROCS=1 and lint with --jobs 1.
# With a key the go-jose loop runs under GOMAXPROCS=1 and lint runs with
# --jobs 1 and --jobs $(nproc), both free to use every core.
#
# The machine may be shared, so every command runs once per round, the
# rounds interleaved, and each figure is the median over rounds: rates per
# second of wall time and of CPU time (user+sys, the steadier figure under
# load), and each command's ratio against the go-jose loop of the same round
# (>= 1 means lint is at least as fast). Peak RSS (from /usr/bin/time) is the
# highest over rounds.
set -euo pipefail
cd "$(dirname "$0")/../.."

TOKENS=${TOKENS:-1000000}
KEY_TOKENS=${KEY_TOKENS:-200000}
ROUNDS=${ROUNDS:-3}
NOW=2026-11-27T12:00:00Z
CLIENT_ID=8f14e45f-ceea-467f-a0e6-c8a1c5d2b7e3
JWKS=testdata/keys/jwks.json
CORES=$(nproc)

if [[ ! -x /usr/bin/time ]]; then
  echo "batch.sh: /usr/bin/time is missing (apt-get install -y time)" >&2
  exit 2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

release_build() { # DIR OUT PKG
  (cd "$1" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$2" "$3")
}
echo "== building (release flags: CGO_ENABLED=0 -trimpath)"
release_build . "$tmp/clientassert" ./cmd/clientassert
release_build . "$tmp/josebaseline" ./internal/bench/josebaseline
go build -o "$tmp/gentokens" ./internal/bench/gentokens
builds=(clientassert)
if [[ -n "${BASELINE:-}" ]]; then
  mkdir "$tmp/src"
  git archive "$BASELINE" | tar -x -C "$tmp/src"
  release_build "$tmp/src" "$tmp/baseline" ./cmd/clientassert
  builds+=(baseline)
fi
echo "== generating $TOKENS tokens"
"$tmp/gentokens" -n "$TOKENS" -o "$tmp/tokens.txt"
head -n "$KEY_TOKENS" "$tmp/tokens.txt" > "$tmp/key-tokens.txt"
# One part per core for the go-jose loops run side by side: what the machine
# itself gives when every core verifies at once.
split -n "l/$CORES" -d "$tmp/key-tokens.txt" "$tmp/key-part."
cat > "$tmp/jose-parallel" <<EOF
#!/usr/bin/env bash
for part in "$tmp"/key-part.*; do
  GOMAXPROCS=1 "$tmp/josebaseline" -jwks "$JWKS" "\$part" &
done
wait
EOF
chmod +x "$tmp/jose-parallel"

# Each measurement appends "wall cpu rss_kb" to $tmp/LABEL.
declare -a LABELS=()
declare -A LINES=()
measure() { # LABEL LINES CMD...
  local label=$1 lines=$2 rc=0
  shift 2
  if [[ -z "${LINES[$label]:-}" ]]; then
    LABELS+=("$label")
    LINES[$label]=$lines
  fi
  /usr/bin/time -o "$tmp/time" -f "%e %U %S %M" "$@" > "$tmp/out" 2>"$tmp/err" || rc=$?
  # lint exits 1 when some items fail, which the generated file has on purpose.
  if ((rc > 1)); then
    echo "batch.sh: $label failed:" >&2
    cat "$tmp/err" >&2
    exit 2
  fi
  local wall user sys rss
  read -r wall user sys rss < <(tail -n 1 "$tmp/time")
  echo "$wall $(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }') $rss" >> "$tmp/$(label_file "$label")"
}
label_file() { printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_'; }

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# stat LABEL COLUMN: the median of one column (1 wall, 2 cpu) as a rate, or the highest RSS (3) in MB.
stat() {
  local f="$tmp/$(label_file "$1")"
  case $2 in
    3) awk '$3 > m { m = $3 } END { printf "%.1f", m / 1024 }' "$f" ;;
    *) awk -v c="$2" -v n="${LINES[$1]}" '{ print n / $c }' "$f" | median | awk '{ printf "%.0f", $1 }' ;;
  esac
}

# ratio A B COLUMN: the median over rounds of rate(A) / rate(B), i.e. time(B) / time(A).
ratio() {
  paste -d ' ' "$tmp/$(label_file "$1")" "$tmp/$(label_file "$2")" |
    awk -v c="$3" '{ print $(c + 3) / $c }' | median | awk '{ printf "%.2f", $1 }'
}

echo "== $ROUNDS rounds: $TOKENS tokens without a key, $KEY_TOKENS with; $CORES cores on this machine"
for ((round = 1; round <= ROUNDS; round++)); do
  echo "  round $round"
  measure "go-jose loop" "$TOKENS" env GOMAXPROCS=1 "$tmp/josebaseline" "$tmp/tokens.txt"
  for b in "${builds[@]}"; do
    measure "$b --jobs 1" "$TOKENS" env GOMAXPROCS=1 "$tmp/$b" lint --batch "$tmp/tokens.txt" --summary --jobs 1 --now "$NOW"
  done
  measure "go-jose loop, verify" "$KEY_TOKENS" env GOMAXPROCS=1 "$tmp/josebaseline" -jwks "$JWKS" "$tmp/key-tokens.txt"
  measure "$CORES go-jose loops side by side" "$KEY_TOKENS" "$tmp/jose-parallel"
  for b in "${builds[@]}"; do
    for jobs in 1 "$CORES"; do
      measure "$b --jwks --jobs $jobs" "$KEY_TOKENS" "$tmp/$b" lint --batch "$tmp/key-tokens.txt" --summary --jobs "$jobs" \
        --now "$NOW" --client-id "$CLIENT_ID" --jwks "$JWKS"
    done
  done
done

row() { # LABEL BASELINE_LABEL
  local r="-" rc="-"
  if [[ -n "$2" ]]; then
    r=$(ratio "$1" "$2" 1)
    rc=$(ratio "$1" "$2" 2)
  fi
  printf "  %-36s %9s %9s %7s %7s %8s\n" "$1" "$(stat "$1" 1)" "$(stat "$1" 2)" "$r" "$rc" "$(stat "$1" 3)"
}
header() { printf "  %-36s %9s %9s %7s %7s %8s\n" "" "tok/s" "tok/s" "ratio" "ratio" "peak RSS"; printf "  %-36s %9s %9s %7s %7s %8s\n" "" "wall" "cpu" "wall" "cpu" "MB"; }

echo "== without a key, GOMAXPROCS=1: medians of $ROUNDS rounds, ratios against the go-jose loop"
header
row "go-jose loop" ""
for b in "${builds[@]}"; do
  row "$b --jobs 1" "go-jose loop"
done
echo "== with a key: ratios against the go-jose verify loop (GOMAXPROCS=1)"
header
row "go-jose loop, verify" ""
row "$CORES go-jose loops side by side" "go-jose loop, verify"
for b in "${builds[@]}"; do
  for jobs in 1 "$CORES"; do
    row "$b --jwks --jobs $jobs" "go-jose loop, verify"
  done
done
# Scaling is a wall-time figure, so it needs idle cores. Three figures tell
# contention inside lint from a busy machine: the go-jose loops side by side
# (the most this machine gives right now), the CPU-time ratio (near 1 when
# workers do not get in each other's way) and the cores the run kept busy.
echo "  machine: $CORES go-jose loops side by side / one loop: $(ratio "$CORES go-jose loops side by side" "go-jose loop, verify" 1) wall"
for b in "${builds[@]}"; do
  many="$b --jwks --jobs $CORES"
  busy=$(awk '{ print $2 / $1 }' "$tmp/$(label_file "$many")" | median | awk '{ printf "%.2f", $1 }')
  echo "  $b: --jobs $CORES / --jobs 1 throughput: $(ratio "$many" "$b --jwks --jobs 1" 1) wall, $(ratio "$many" "$b --jwks --jobs 1" 2) cpu; $busy of $CORES cores busy"
done
echo "  load average at the end: $(cut -d ' ' -f 1-3 /proc/loadavg)"
