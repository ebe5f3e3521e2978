#!/usr/bin/env bash
# Run the arbitrary-input harness (tests/fuzz_harness) for a chosen time, on stable Rust.
#
# usage: scripts/fuzz.sh [SECONDS]            (default 300)
#        scripts/fuzz.sh --cargo-fuzz TARGET [SECONDS]   (nightly + cargo-fuzz: extract_file,
#                                                         config_parse; seeded from fixtures/)
# env:   SSOT_FUZZ_SEED  run seed (default: drawn from the clock; printed, so a run replays)
#        SSOT_FUZZ_CASE  replay one case of that seed
#        SSOT_FUZZ_OUT   where reproducers go (default target/fuzz-harness)
#
# The harness builds with optimizations and debug assertions (its own target dir, so it
# does not disturb the normal builds). CI runs the same test as a short smoke run inside
# `cargo test` (8 s, seed 1).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--cargo-fuzz" ]; then
  target=${2:?usage: scripts/fuzz.sh --cargo-fuzz extract_file|config_parse [SECONDS]}
  seconds=${3:-300}
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus"
  case $target in
    extract_file) pattern='*.rs';;
    config_parse) pattern='*.toml';;
    *) echo "fuzz.sh: unknown target $target" >&2; exit 2;;
  esac
  # content-addressed names: fixture files share names across directories
  find fixtures -name "$pattern" -type f | sort | while IFS= read -r f; do
    if [ "$target" = config_parse ]; then
      # first byte selects embedded (Cargo.toml) or standalone (ssot.toml) parsing
      flag=$([ "$(basename "$f")" = Cargo.toml ] && printf '\001' || printf '\000')
      { printf '%s' "$flag"; cat "$f"; } >"$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
    else
      cp "$f" "$corpus/seed-$(sha1sum "$f" | cut -c1-16)"
    fi
  done
  cd fuzz
  exec cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds"
fi

seconds=${1:-300}
seed=${SSOT_FUZZ_SEED:-$(date +%s)}
out=${SSOT_FUZZ_OUT:-$(pwd)/target/fuzz-harness}
echo "fuzz.sh: ${seconds}s, seed $seed (replay a case: SSOT_FUZZ_SEED=$seed SSOT_FUZZ_CASE=<n> scripts/fuzz.sh)" >&2
status=0
SSOT_FUZZ_SECONDS=$seconds SSOT_FUZZ_SEED=$seed SSOT_FUZZ_OUT=$out \
  CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS=true CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS=true \
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
  cargo test --release --target-dir target/fuzz-build --test fuzz_harness \
  -- --nocapture mutated_inputs || status=$?
if [ $status -ne 0 ] && [ -f "$out/current-$seed.case" ]; then
  # a panic is reported by the test itself; an abort (stack overflow) leaves only this
  echo "fuzz.sh: the run stopped (status $status) while running case $(cut -d' ' -f1 "$out/current-$seed.case")" \
       "($(cut -d' ' -f2- "$out/current-$seed.case")); its input is $out/current-$seed.input" >&2
fi
exit $status
