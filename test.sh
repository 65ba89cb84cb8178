#!/usr/bin/env bash
# README's test command: installs what the tests need, builds everything (warnings are errors) and runs every test.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
dotnet build LiveScope.sln -c Release --nologo -v quiet
log=$(mktemp)
set +e
dotnet test LiveScope.sln -c Release --no-build --nologo --logger "console;verbosity=minimal" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for CI, summed over every test project.
sum() { grep -oE "$1: +[0-9]+" "$log" | awk '{s+=$2} END {print s+0}'; }
echo "$(sum Passed) passed, $(sum Failed) failed, $(sum Skipped) skipped"
rm -f "$log"
exit "$status"
