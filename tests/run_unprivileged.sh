#!/bin/sh
# Usage: run_unprivileged.sh TEST_BINARY CLI_BINARY
#
# Runs the suites named *PermissionTest of TEST_BINARY as an unprivileged
# user: refusals for lack of permission cannot happen to root, and CI runs as
# root. As root, both binaries are copied into a fresh 0755 folder (CI's clone
# may sit in a folder that user nobody cannot enter) and run as nobody with
# setpriv (util-linux); otherwise they run as they are. DM_CLI_PATH tells the
# tests where the tool's copy is. Fails if no test ran or any was skipped, so
# that these tests can never silently stop running.
set -eu

test_binary=$1
cli_binary=$2
filter='*PermissionTest.*'

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
chmod 0755 "$scratch"

if [ "$(id -u)" -eq 0 ]; then
  cp "$test_binary" "$scratch/"
  cp "$cli_binary" "$scratch/"
  test_binary=$scratch/$(basename "$test_binary")
  cli_binary=$scratch/$(basename "$cli_binary")
  set -- setpriv --reuid=65534 --regid=65534 --clear-groups
else
  set --
fi

status=0
cd "$scratch"
output=$(DM_CLI_PATH=$cli_binary "$@" "$test_binary" --gtest_filter="$filter" 2>&1) || status=$?
printf '%s\n' "$output"
if [ "$status" -ne 0 ]; then exit "$status"; fi
if ! printf '%s\n' "$output" | grep -q '^\[  PASSED  \] [1-9]'; then
  echo "run_unprivileged.sh: no test matched $filter" >&2
  exit 1
fi
if printf '%s\n' "$output" | grep -q '^\[  SKIPPED \]'; then
  echo "run_unprivileged.sh: a permission test was skipped" >&2
  exit 1
fi
