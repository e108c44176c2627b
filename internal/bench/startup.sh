#!/usr/bin/env bash
# Whole-process start-up benchmark: one clientassert process against the C
# `jose` tool verifying the same RS384 token.
#
#   internal/bench/startup.sh                  # this working tree
#   BASELINE=main internal/bench/startup.sh    # also a build of another revision
#   RUNS=100 internal/bench/startup.sh
#
# Every Go binary is built as the release is (.goreleaser.yaml: CGO_ENABLED=0,
# -trimpath, -s -w). Needs hyperfine, jose and python3 (apt-get install -y
# hyperfine jose python3). A Go hello-world built the same way shows the floor
# of any Go process, and one that links all of clientassert's dependencies
# the floor of this binary.
#
# Two measurements, each a ratio against `jose jws ver` in the same run
# (below 1 means faster than jose):
# - hyperfine, RUNS runs per command: median wall time and mean user+sys CPU;
# - paired: RUNS rounds, each running every command once in a shuffled order,
#   so load that comes and goes on a shared machine hits all commands alike;
#   the figure is the median over rounds of (command time / jose time).
set -euo pipefail
cd "$(dirname "$0")/../.."

RUNS=${RUNS:-40}
WARMUP=${WARMUP:-5}
for tool in hyperfine jose python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "startup.sh: $tool is missing (apt-get update && apt-get install -y hyperfine jose python3)" >&2
    exit 2
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

release_build() { # DIR OUT [PKG]
  (cd "$1" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$2" "${3:-./cmd/clientassert}")
}
echo "== building release binaries"
release_build . "$tmp/clientassert"
binaries=(clientassert)
if [[ -n "${BASELINE:-}" ]]; then
  mkdir "$tmp/src"
  git archive "$BASELINE" | tar -x -C "$tmp/src"
  release_build "$tmp/src" "$tmp/baseline"
  binaries+=(baseline)
fi
mkdir "$tmp/hello"
printf 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n' > "$tmp/hello/main.go"
printf 'module hello\n\ngo 1.26\n' > "$tmp/hello/go.mod"
release_build "$tmp/hello" "$tmp/go-hello" .
# The dependency floor: a program that links every package clientassert
# links (so their init functions run) and does nothing else. What is above
# it is this project's own start-up work.
floor=$(mktemp -d internal/bench/_floor.XXXXXX)
trap 'rm -rf "$tmp" "$floor"' EXIT
{
  printf 'package main\n\nimport (\n\t"os"\n'
  go list -deps ./cmd/clientassert | grep -v -e clientassert -e internal -e '^vendor/' -e '^runtime' -e '^unsafe$' -e '^C$' -e '^os$' | sed 's/.*/\t_ "&"/'
  printf ')\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n'
} > "$floor/main.go"
release_build . "$tmp/go-deps-floor" "./$floor"

# The same RS384 token and RSA public key for every command.
tr -d '\n' < testdata/tokens/valid-rs384.jwt > "$tmp/token.jwt"
jose fmt -j testdata/keys/jwks.json -g keys -g 0 -o "$tmp/key.jwk"
jose jws ver -i "$tmp/token.jwt" -k "$tmp/key.jwk" >/dev/null
tok=$(cat "$tmp/token.jwt")
now=2026-11-27T12:00:00Z

{
  printf 'jose jws ver\tjose jws ver -i %s -k %s\n' "$tmp/token.jwt" "$tmp/key.jwk"
  printf 'go hello-world\t%s\n' "$tmp/go-hello"
  printf 'go deps floor\t%s\n' "$tmp/go-deps-floor"
  for b in "${binaries[@]}"; do
    "$tmp/$b" lint --jwks "$tmp/key.jwk" --now "$now" "$tok" >/dev/null
    printf '%s lint --jwks\t%s lint --jwks %s --now %s %s\n' "$b" "$tmp/$b" "$tmp/key.jwk" "$now" "$tok"
    printf '%s lint (no key)\t%s lint --now %s %s\n' "$b" "$tmp/$b" "$now" "$tok"
    printf '%s decode\t%s decode %s\n' "$b" "$tmp/$b" "$tok"
  done
} > "$tmp/commands.tsv"

hf=()
while IFS=$'\t' read -r name line; do
  hf+=(-n "$name" "$line")
done < "$tmp/commands.tsv"

echo "== $RUNS runs per command, $WARMUP warm-up, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
# hyperfine's warnings about outliers are expected on a shared machine; the
# paired measurement below is the answer to them.
hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" --export-json "$tmp/result.json" "${hf[@]}" > /dev/null 2> "$tmp/hyperfine.err" \
  || { cat "$tmp/hyperfine.err" >&2; exit 2; }

python3 - "$tmp/result.json" "$tmp/commands.tsv" "$RUNS" <<'PY'
import json, os, random, statistics, sys, time

results = json.load(open(sys.argv[1]))["results"]
commands = [line.rstrip("\n").split("\t") for line in open(sys.argv[2])]
runs = int(sys.argv[3])

def med(r): return statistics.median(r["times"]) * 1000
def cpu(r): return (r["user"] + r["system"]) * 1000
base = results[0]
print("hyperfine: ratios against jose jws ver")
print(f"  {'command':28} {'median ms':>10} {'cpu ms':>8} {'wall ratio':>11} {'cpu ratio':>10}")
for r in results:
    print(f"  {r['command']:28} {med(r):10.2f} {cpu(r):8.2f} {med(r)/med(base):11.2f} {cpu(r)/cpu(base):10.2f}")

def run_once(argv):
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0] if "/" in argv[0] else "/usr/bin/" + argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    return wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000

rng = random.Random(11)
walls = {name: [] for name, _ in commands}
cpus = {name: [] for name, _ in commands}
for _ in range(runs):
    order = list(commands)
    rng.shuffle(order)
    for name, line in order:
        w, c = run_once(line.split(" "))
        walls[name].append(w)
        cpus[name].append(c)
jose = commands[0][0]
print(f"paired: {runs} interleaved rounds, median of per-round ratios against {jose}")
print(f"  {'command':28} {'median ms':>10} {'cpu ms':>8} {'wall ratio':>11} {'cpu ratio':>10}")
for name, _ in commands:
    wr = statistics.median(a / b for a, b in zip(walls[name], walls[jose]))
    cr = statistics.median(a / b if b else float("nan") for a, b in zip(cpus[name], cpus[jose]))
    print(f"  {name:28} {statistics.median(walls[name]):10.2f} {statistics.median(cpus[name]):8.2f} {wr:11.2f} {cr:10.2f}")
PY
