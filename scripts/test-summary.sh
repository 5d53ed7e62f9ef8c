#!/usr/bin/env bash
# Sums the TRX files of one `dotnet test` run into the plain closing line
# "Tests: N passed, N failed, N skipped" that CI reads.
set -euo pipefail
dir=${1:?results directory}
passed=0 failed=0 skipped=0
shopt -s nullglob
files=("$dir"/*.trx)
if [ ${#files[@]} -eq 0 ]; then
  echo "test-summary: no TRX results in $dir" >&2
  echo "Tests: 0 passed, 1 failed"
  exit 1
fi
for f in "${files[@]}"; do
  line=$(grep -o '<Counters [^>]*>' "$f" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$line"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed)))
  skipped=$((skipped + $(get notExecuted)))
done
echo "Tests: $passed passed, $failed failed, $skipped skipped"
