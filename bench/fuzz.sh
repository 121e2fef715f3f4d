#!/usr/bin/env bash
# The fuzz targets of tests/RealtimeSeg.Tests/Fuzzing run long: SECONDS per target (CI runs each for 2-25 s), from
# SEED (the CI sequence is 20261206, so another seed explores new cases). Prints one line per target, cases run
# and findings; a finding fails the run and is printed with the case number that reproduces it under that seed.
#   bench/fuzz.sh [SECONDS] [SEED]      defaults: 60 s a target, seed 1
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${1:-60}" seed="${2:-1}"
report="$(mktemp)" log="$(mktemp)"
trap 'rm -f "$report" "$log"' EXIT
cd "$root"
dotnet build tests/RealtimeSeg.Tests -c Release -nologo -v quiet >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
status=0
REALTIMESEG_FUZZ_SECONDS="$seconds" REALTIMESEG_FUZZ_SEED="$seed" REALTIMESEG_FUZZ_REPORT="$report" \
  dotnet test tests/RealtimeSeg.Tests -c Release --no-build --filter "FullyQualifiedName~RealtimeSeg.Tests.Fuzzing" \
  --logger "console;verbosity=detailed" >"$log" 2>&1 || status=$?
printf '%-16s %10s %9s %9s\n' target cases seconds findings
awk -F'\t' '{ printf "%-16s %10d %9.1f %9d\n", $1, $2, $3, $4; cases += $2; found += $4 } END { printf "%-16s %10d %9s %9d\n", "all", cases, "", found }' "$report"
if [ "$status" -ne 0 ]; then
  grep -E '^\s+case [0-9]+:' "$log" | sed 's/^ *//' | sort -u | head -40 >&2
  grep -q 'case [0-9]*:' "$log" || tail -30 "$log" >&2
fi
exit "$status"
