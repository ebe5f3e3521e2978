#!/usr/bin/env bash
# Proves that the published hook definition (.pre-commit-hooks.yaml) works with the real
# pre-commit: in a scratch git repository, a commit that adds a singleton manager is refused
# with the finding in the output, the fixed commit passes, and an old violation in a file the
# commit does not touch does not block it.
#
# Usage: scripts/test-pre-commit.sh [WORK_DIR]        (default: target/precommit)
#
# Needs python3 (with venv), git and cargo. The first run installs pre-commit from PyPI into
# WORK_DIR/venv and builds the hook (pre-commit runs `cargo install --path` on this
# repository; dependencies come from cargo's cache or crates.io); later runs reuse both and
# take seconds when the sources did not change.
#
# What pre-commit installs is a snapshot of this working tree (tracked and untracked files
# that git does not ignore) committed in WORK_DIR/hook-repo with fixed dates, so uncommitted
# changes are tested too, a fresh or shallow clone works, and the same tree gives the same
# commit: pre-commit's cache (WORK_DIR/pre-commit-home) then skips the build.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-${CARGO_TARGET_DIR:-$repo/target}/precommit}
mkdir -p "$work"
work=$(cd "$work" && pwd)

step() { printf '\n== %s\n' "$*"; }
fail() {
    printf '\nFAIL: %s\n' "$*" >&2
    exit 1
}

# One run at a time per work directory (cargo test may run two test binaries at once).
if command -v flock >/dev/null 2>&1; then
    exec 9>"$work/lock"
    flock 9
fi

# Hermetic git: no user or system config (a global core.hooksPath would make `pre-commit
# install` refuse, a global template could add hooks), and nothing inherited from a hook
# this script may itself be running under.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL="$work/gitconfig"
cat >"$GIT_CONFIG_GLOBAL" <<'EOF'
[user]
	name = cargo-ssot test
	email = cargo-ssot-test@example.invalid
[init]
	defaultBranch = main
[advice]
	detachedHead = false
[commit]
	gpgsign = false
EOF
# pre-commit prints colors only to a terminal; keep it plain for the checks below.
export PRE_COMMIT_COLOR=never
export PRE_COMMIT_HOME="$work/pre-commit-home"
# The hook is built by `cargo install` inside pre-commit; build it into a kept target dir so
# dependencies are compiled once, and without optimisation: this proves the hook definition,
# the speed of the binary does not matter here.
export CARGO_TARGET_DIR="$work/cargo-target"
export CARGO_PROFILE_RELEASE_OPT_LEVEL=0
export CARGO_PROFILE_RELEASE_LTO=false
export CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256
export CARGO_PROFILE_RELEASE_DEBUG=false
export CARGO_PROFILE_RELEASE_INCREMENTAL=true
export CARGO_TERM_COLOR=never

step "pre-commit in $work/venv"
venv="$work/venv"
if ! "$venv/bin/pre-commit" --version >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv failed (on Debian: apt-get install python3-venv)"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'pre-commit>=3.2,<5'
fi
"$venv/bin/pre-commit" --version
export PATH="$venv/bin:$PATH"

step "snapshot of $repo as the hook repository"
git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 ||
    fail "$repo is not a git repository (the snapshot lists files with git ls-files)"
hook_repo="$work/hook-repo"
rm -rf "$hook_repo"
mkdir -p "$hook_repo"
# Tracked files deleted from the work tree are listed by ls-files but cannot be read.
git -C "$repo" ls-files -z --cached --others --exclude-standard |
    tar -C "$repo" --null --files-from=- --ignore-failed-read -cf - 2>/dev/null |
    tar -C "$hook_repo" -xf -
[ -f "$hook_repo/.pre-commit-hooks.yaml" ] || fail "the snapshot has no .pre-commit-hooks.yaml"
(
    cd "$hook_repo"
    git init -q
    git add -A
    GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
        git commit -q -m snapshot
)
rev=$(git -C "$hook_repo" rev-parse HEAD)
echo "hook repository $hook_repo at $rev"

step "scratch repository"
scratch="$work/scratch"
rm -rf "$scratch"
mkdir -p "$scratch/src"
cd "$scratch"
git init -q
cat >Cargo.toml <<'EOF'
[package]
name = "scratch"
version = "0.1.0"
edition = "2021"

[workspace]
EOF
cat >src/lib.rs <<'EOF'
pub mod chat;
pub mod legacy;
EOF
cat >src/chat.rs <<'EOF'
pub struct ChatManager;

pub fn manager_for_user() -> ChatManager {
    ChatManager
}
EOF
# Old code, committed before the hook was adopted.
cat >src/legacy.rs <<'EOF'
pub static LEGACY: std::sync::Mutex<Option<crate::chat::ChatManager>> = std::sync::Mutex::new(None);
EOF
cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $hook_repo
    rev: $rev
    hooks:
      - id: cargo-ssot
EOF
git add -A
git commit -q -m "before the hook"

pre-commit install
step "pre-commit install-hooks (builds the hook with cargo install on the first run)"
started=$(date +%s)
pre-commit install-hooks
echo "hook ready in $(($(date +%s) - started)) s"

# commit MESSAGE EXPECTED_STATUS PATTERN…: commit what is staged; the status must be as
# expected and the output must contain every pattern.
commit() {
    local message=$1 expected=$2 status=0
    shift 2
    git commit -m "$message" >"$work/commit.log" 2>&1 || status=$?
    sed 's/^/    /' "$work/commit.log"
    if [ "$expected" = pass ] && [ "$status" -ne 0 ]; then
        fail "commit '$message' was refused (status $status)"
    fi
    if [ "$expected" = refuse ] && [ "$status" -eq 0 ]; then
        fail "commit '$message' was accepted"
    fi
    for pattern in "$@"; do
        grep -q -- "$pattern" "$work/commit.log" || fail "commit '$message': output lacks '$pattern'"
    done
}

step "a commit that adds a singleton manager is refused"
cat >src/chat.rs <<'EOF'
pub struct ChatManager;

pub static MANAGER: std::sync::Mutex<Option<ChatManager>> = std::sync::Mutex::new(None);
EOF
git add src/chat.rs
commit "add a global manager" refuse "ssot::singleton-manager" "MANAGER" "chat.rs"
grep -q "LEGACY" "$work/commit.log" && fail "a finding in an unstaged file was reported"

step "the fixed commit passes although legacy.rs still has a singleton"
cat >src/chat.rs <<'EOF'
pub struct ChatManager;

/// One manager per user, from the caller.
pub fn manager_for_user() -> ChatManager {
    ChatManager
}
EOF
git add src/chat.rs
commit "one manager per user" pass "cargo-ssot"
[ "$(git log --oneline | wc -l)" -eq 2 ] || fail "expected two commits"

step "touching legacy.rs reports its old singleton"
printf '// still to migrate\n' >>src/legacy.rs
git add src/legacy.rs
commit "touch legacy" refuse "LEGACY"

# Earlier snapshots' clones and builds are no longer used by any config: drop them.
pre-commit gc >/dev/null

printf '\npre-commit hook test: PASS\n'
