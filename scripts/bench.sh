#!/usr/bin/env bash
# Benchmark cargo-ssot against the analysis floor (`floor visit`: syn full parse + one visitor
# pass) on generated workspaces and, optionally, real trees. See docs/benchmarks.md.
#
# usage: scripts/bench.sh [--sizes 10k,35k,100k,1m] [--tree DIR]... [--runs N]
#                         [--threads 1,2] [--no-warm] [--hyperfine] [--out FILE]
#   --sizes    synthetic workspaces to generate into target/bench/ws-<size> ("" for none)
#   --tree     also measure this directory (repeatable): a workspace or a folder of them
#   --runs     measured runs per command, after one warm-up (default 5); A and B alternate
#   --threads  also measure cold cargo-ssot at these thread counts (`-j N`, RAYON_NUM_THREADS)
#   --no-warm  skip the warm (cached) re-runs
#   --hyperfine  additionally run hyperfine on each cold-vs-floor pair (when installed)
#   --out      also write the result table (markdown) to FILE
# env: SHARED_DIR (default: ../shared next to the repository) holds bench/floor.
#
# Per tree it prints median wall time, CPU time (user+sys) and peak RSS of
#   cold:  cargo-ssot check TREE --format json --output /dev/null --exit-zero --no-cache
#   warm:  the same without --no-cache, after one run that fills the cache
#   floor: floor visit TREE
# and the ratios cold/floor (wall, and CPU: steadier on a busy machine) and warm/cold.
# Page cache is warm for all (one warm-up run each).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
SHARED_DIR=${SHARED_DIR:-$REPO/../shared}

sizes="10k,35k,100k,1m"
trees=()
runs=5
threads=""
warm=1
use_hyperfine=0
out_file=""
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2;;
    --tree) trees+=("$2"); shift 2;;
    --runs) runs=$2; shift 2;;
    --threads) threads=$2; shift 2;;
    --no-warm) warm=0; shift;;
    --hyperfine) use_hyperfine=1; shift;;
    --out) out_file=$2; shift 2;;
    -h|--help) sed -n '2,21p' "$0"; exit 0;;
    *) echo "bench.sh: unknown argument $1 (see --help)" >&2; exit 2;;
  esac
done

[ -x /usr/bin/time ] || { echo "bench.sh: /usr/bin/time is needed (apt-get install -y time)" >&2; exit 2; }
FLOOR_MANIFEST=$SHARED_DIR/bench/floor/Cargo.toml
[ -f "$FLOOR_MANIFEST" ] || { echo "bench.sh: no $FLOOR_MANIFEST; set SHARED_DIR to the folder holding bench/floor" >&2; exit 2; }

echo "== building cargo-ssot, the generator and floor (release)" >&2
cargo build --quiet --release --bin cargo-ssot --example gen-workspace
cargo build --quiet --release --manifest-path "$FLOOR_MANIFEST" --target-dir target/floor
SSOT=$REPO/target/release/cargo-ssot
FLOOR=$REPO/target/floor/release/floor
GEN=$REPO/target/release/examples/gen-workspace

no_cache=""
if "$SSOT" check --help | grep -q -- '--no-cache'; then
  no_cache="--no-cache"
else
  echo "note: this cargo-ssot has no --no-cache (no cache yet): every run is cold; warm runs skipped" >&2
  warm=0
fi

mkdir -p target/bench
for s in ${sizes//,/ }; do
  [ -n "$s" ] || continue
  dir=target/bench/ws-$s
  "$GEN" --lines "$s" --out "$dir" 2>/dev/null
  trees+=("$REPO/$dir")
done
[ ${#trees[@]} -gt 0 ] || { echo "bench.sh: nothing to measure" >&2; exit 2; }

# One run of a command: prints "wall_s cpu_s rss_kib" (wall from the shell's clock in ns,
# CPU and peak RSS from /usr/bin/time). Output of the command goes to /dev/null.
measure() {
  local tf t0 t1
  tf=$(mktemp)
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$tf" "$@" >/dev/null 2>&1 || { echo "bench.sh: failed: $*" >&2; rm -f "$tf"; return 1; }
  t1=$(date +%s%N)
  awk -v w=$(( t1 - t0 )) '{printf "%.4f %.3f %d\n", w/1e9, $1+$2, $3}' "$tf"
  rm -f "$tf"
}

# Median of each column of "wall cpu rss" lines in FILE (portable: no gawk needed).
medians() {
  local col n out=()
  n=$(wc -l <"$1")
  for col in 1 2 3; do
    out+=("$(cut -d' ' -f$col "$1" | sort -g | awk -v n="$n" '
      { v[NR] = $1 }
      END { m = int((n + 1) / 2); if (n % 2) print v[m]; else print (v[m] + v[m + 1]) / 2 }')")
  done
  echo "${out[@]}"
}

fmt_s() { awk -v x="$1" 'BEGIN { if (x < 1) printf "%.0f ms", x*1000; else printf "%.2f s", x }'; }
fmt_mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k/1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a/b; else print "-" }'; }

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "== cargo-ssot $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $runs runs per command after 1 warm-up, A/B alternated" >&2

header="| tree | .rs files | lines | MiB | ssot cold | cold CPU | cold RSS | floor visit | floor CPU | floor RSS | cold / floor | CPU cold / floor |"
sep="|---|---|---|---|---|---|---|---|---|---|---|---|"
if [ $warm = 1 ]; then header="$header ssot warm | warm / cold |"; sep="$sep---|---|"; fi
for t in ${threads//,/ }; do header="$header cold -j$t |"; sep="$sep---|"; done
table=("$header" "$sep")
notes=()

for tree in "${trees[@]}"; do
  tree=$(cd "$tree" && pwd)
  name=$(basename "$tree")
  echo "== $name" >&2
  cold=("$SSOT" check "$tree" --format json --output /dev/null --exit-zero $no_cache)
  floor=("$FLOOR" visit "$tree")
  # warm-ups (page cache, and the analysis cache for the warm runs)
  measure "${cold[@]}" >/dev/null
  measure "${floor[@]}" >/dev/null
  : >"target/bench/$name.cold"; : >"target/bench/$name.floor"; : >"target/bench/$name.warm"
  if [ $warm = 1 ]; then measure "$SSOT" check "$tree" --format json --output /dev/null --exit-zero >/dev/null; fi
  for _ in $(seq "$runs"); do
    measure "${cold[@]}" >>"target/bench/$name.cold"
    measure "${floor[@]}" >>"target/bench/$name.floor"
    if [ $warm = 1 ]; then
      measure "$SSOT" check "$tree" --format json --output /dev/null --exit-zero >>"target/bench/$name.warm"
    fi
  done
  read -r cw cc cr < <(medians "target/bench/$name.cold")
  read -r fw fc fr < <(medians "target/bench/$name.floor")
  stats=$("$FLOOR" read "$tree" | head -1)
  files=$(sed -n 's/.* files=\([0-9]*\).*/\1/p' <<<"$stats")
  bytes=$(sed -n 's/.* bytes=\([0-9]*\).*/\1/p' <<<"$stats")
  lines=$(find "$tree" -name '*.rs' -type f -print0 | xargs -0 cat | wc -l)
  row="| $name | $files | $lines | $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}') | $(fmt_s "$cw") | $(fmt_s "$cc") | $(fmt_mib "$cr") | $(fmt_s "$fw") | $(fmt_s "$fc") | $(fmt_mib "$fr") | $(ratio "$cw" "$fw") | $(ratio "$cc" "$fc") |"
  if [ $warm = 1 ]; then
    read -r ww _ _ < <(medians "target/bench/$name.warm")
    row="$row $(fmt_s "$ww") | $(ratio "$ww" "$cw") |"
  fi
  for t in ${threads//,/ }; do
    : >"target/bench/$name.j$t"
    for _ in $(seq "$runs"); do
      RAYON_NUM_THREADS=$t measure "${cold[@]}" -j "$t" >>"target/bench/$name.j$t"
    done
    read -r tw _ _ < <(medians "target/bench/$name.j$t")
    row="$row $(fmt_s "$tw") |"
  done
  table+=("$row")
  if [ $use_hyperfine = 1 ] && command -v hyperfine >/dev/null; then
    hyperfine -N -w 1 -r "$runs" --export-markdown "target/bench/$name.hyperfine.md" \
      -n "ssot cold" "${cold[*]}" -n "floor visit" "${floor[*]}" >&2 || true
  fi
  # Planted violations found, by rule (generated trees only).
  if [ -f "$tree/PLANTED.json" ] && command -v jq >/dev/null; then
    "$SSOT" check "$tree" --format json --output "target/bench/$name.json" --exit-zero $no_cache
    planted=$(jq -c '[.[].rules[]] | group_by(.) | map({(.[0]): length}) | add // {}' "$tree/PLANTED.json")
    found=$(jq -c '.summary.by_rule | with_entries(.key |= ltrimstr("ssot::"))' "target/bench/$name.json")
    notes+=("$name: planted $planted; found $found; problems $(jq '.problems | length' "target/bench/$name.json")")
  fi
done

{
  printf '%s\n' "${table[@]}"
  echo
  echo "Medians of $runs runs. cargo-ssot $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  for n in "${notes[@]}"; do echo "- $n"; done
} | tee ${out_file:+"$out_file"}
