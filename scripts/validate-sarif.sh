#!/usr/bin/env bash
# Validate cargo-ssot's SARIF against Microsoft's SARIF Multitool (the validator GitHub's
# own docs point to), with the SARIF and GitHub Advanced Security rule sets.
#
# For each chat-server fixture, and a scratch workspace with what the fixtures lack (a file
# that does not parse, non-ASCII paths and lines, suppressed findings shown with
# `--include-suppressed`): write `--format sarif`, run
#   Sarif.Multitool validate out.sarif --rule-kind "Sarif;Ghas" --level "Error;Warning;Note"
# and fail on any error- or warning-level result (notes are advice, e.g. "rule ids should
# look like CS2001", and are only counted).
#
# The validator comes from the npm registry (@microsoft/sarif-multitool-linux, pinned) and is
# cached under target/, so re-runs are quick. Skips (exit 0, says so) only when npm is absent.
#
# Environment: SSOT_BIN = the cargo-ssot binary to test (default: build it);
#              SARIF_TOOL_DIR = where to cache the validator (default: <target>/sarif-tool).
set -euo pipefail

MULTITOOL_VERSION=5.7.0
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
TOOL_DIR=${SARIF_TOOL_DIR:-$TARGET_DIR/sarif-tool}
OUT_DIR=$TARGET_DIR/sarif-validation

# The validator is a .NET program; without ICU installed it needs invariant globalization.
if ! ldconfig -p 2>/dev/null | grep libicu >/dev/null; then
    export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
fi

MULTITOOL=$TOOL_DIR/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
installed=""
if [ -f "$MULTITOOL" ]; then
    chmod u+x "$MULTITOOL"
    installed=$("$MULTITOOL" --version 2>&1 </dev/null || true)
fi
if [[ "$installed" != *"Multitool $MULTITOOL_VERSION"* ]]; then
    if ! command -v npm >/dev/null 2>&1; then
        echo "validate-sarif: SKIPPED: npm is not installed, so the SARIF Multitool cannot be fetched" >&2
        exit 0
    fi
    echo "validate-sarif: installing @microsoft/sarif-multitool-linux@$MULTITOOL_VERSION into $TOOL_DIR" >&2
    mkdir -p "$TOOL_DIR"
    npm install --prefix "$TOOL_DIR" --no-audit --no-fund --no-save --loglevel=error \
        "@microsoft/sarif-multitool-linux@$MULTITOOL_VERSION" >&2
fi
# Its postinstall `chmod` does not run where npm blocks install scripts; called directly,
# because the npm wrapper loses quoted arguments such as "Sarif;Ghas".
chmod u+x "$MULTITOOL"

if [ -z "${SSOT_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --quiet --bin cargo-ssot)
    SSOT_BIN=$TARGET_DIR/debug/cargo-ssot
fi

mkdir -p "$OUT_DIR"
scratch=$OUT_DIR/scratch-ws
rm -rf "$scratch"
mkdir -p "$scratch/src"
printf '[package]\nname = "scratch"\nversion = "0.1.0"\nedition = "2021"\n\n[workspace]\n' \
    >"$scratch/Cargo.toml"
cat >"$scratch/src/lib.rs" <<'RS'
mod broken;
#[path = "état.rs"]
mod etat;
pub struct ChatManager;
RS
printf 'pub fn f( {\n' >"$scratch/src/broken.rs"
cat >"$scratch/src/état.rs" <<'RS'
use crate::ChatManager;
/* café */	static ÉTAT_GLOBAL: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);
// ssot:allow(singleton-manager): kept until the migration to per-user managers lands
static ANCIEN: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);
RS

status=0
for case in legacy-chat-server ssot-chat-server scratch-ws; do
    sarif=$OUT_DIR/$case.sarif
    report=$OUT_DIR/$case.report.sarif
    fixture=$case
    if [ "$case" = scratch-ws ]; then
        (cd "$scratch" && "$SSOT_BIN" check --format sarif --output "$sarif" --exit-zero --include-suppressed)
    else
        (cd "$ROOT/fixtures/$case" && "$SSOT_BIN" check --format sarif --output "$sarif" --exit-zero)
    fi
    log=$OUT_DIR/$fixture.validator.log
    rm -f "$report"
    # The validator's exit status reflects its own rule levels; the report is judged below.
    "$MULTITOOL" validate "$sarif" --rule-kind "Sarif;Ghas" --level "Error;Warning;Note" \
        --output "$report" >"$log" 2>&1 </dev/null || true
    if ! [ -s "$report" ]; then
        echo "validate-sarif: $fixture: the validator wrote no report; its output:" >&2
        cat "$log" >&2
        status=1
        continue
    fi
    summary=$(grep -E "files? scanned|Analysis (completed|failed)" "$log" | tr -s '\r\n' ' ' || true)
    echo "validate-sarif: $fixture: Sarif.Multitool: ${summary:-no summary line (see $log)}"
    python3 - "$fixture" "$sarif" "$report" <<'PY' || status=1
import json, sys
fixture, sarif_path, report_path = sys.argv[1:]
with open(sarif_path, encoding="utf-8") as f:
    results = len(json.load(f)["runs"][0]["results"])
with open(report_path, encoding="utf-8-sig") as f:
    run = json.load(f)["runs"][0]
rules = run["tool"]["driver"].get("rules", [])
counts = {"error": 0, "warning": 0, "note": 0}
failing = []

def text(r):
    """The validator's message with its arguments filled in."""
    message = r.get("message", {})
    if "text" in message:
        return message["text"]
    index = r.get("ruleIndex", -1)
    rule = rules[index] if 0 <= index < len(rules) else {}
    template = rule.get("messageStrings", {}).get(message.get("id"), {}).get("text", str(message))
    for i, arg in enumerate(message.get("arguments", [])):
        template = template.replace("{%d}" % i, arg)
    return template

for r in run.get("results", []):
    level = r.get("level", "warning")
    counts[level] = counts.get(level, 0) + 1
    if level in ("error", "warning"):
        failing.append(r)
for n in run.get("invocations", [{}])[0].get("toolExecutionNotifications", []):
    if n.get("level") == "error":
        failing.append(n)
print(f"validate-sarif: {fixture}: {results} results; validator: "
      f"{counts['error']} errors, {counts['warning']} warnings, {counts['note']} notes")
for r in failing:
    line = r.get("locations", [{}])[0].get("physicalLocation", {}).get("region", {}).get("startLine")
    print(f"  {r.get('level', 'warning')} {r.get('ruleId', '')} (line {line}): {text(r)}")
sys.exit(1 if failing else 0)
PY
done
exit $status
