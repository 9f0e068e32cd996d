#!/usr/bin/env bash
# Runs every test of the project: C# unit/integration tests (xunit) and the JavaScript end-to-end tests that drive
# our servers with clients written by others. Installs what it needs (npm packages; Debian packages when missing).
# Prints one closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
results="$root/artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0; status=0

count_dotnet() {  # "Passed!  - Failed:     0, Passed:    60, Skipped: ..." lines from dotnet test
  local log="$1" p f
  p=$(grep -Eo 'Passed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
  f=$(grep -Eo 'Failed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}
count_node() {  # node --test closing lines: "# pass N" / "# fail N"
  local log="$1" p f
  p=$(grep -E '^# pass [0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
  f=$(grep -E '^# fail [0-9]+' "$log" | grep -Eo '[0-9]+' | paste -sd+ - | bc 2>/dev/null || echo 0)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
}

command -v bc >/dev/null || { apt-get update -qq >/dev/null && apt-get install -y -qq bc >/dev/null; }

echo "== build"
dotnet build LlmDebugAdapter.sln -c Debug 2>&1 | tail -3 || status=1

echo "== xunit"
for project in tests/*/*.Tests.csproj; do
  log="$results/$(basename "$project" .csproj).log"
  dotnet test "$project" --no-build 2>&1 | tee "$log" | grep -E '^(Passed!|Failed!)|error' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count_dotnet "$log"
done

echo "== JavaScript end-to-end tests"
npm ci --no-audit --no-fund >"$results/npm-ci.log" 2>&1 || { echo "npm ci failed (see $results/npm-ci.log)"; status=1; }
for ws in $(node -e 'for (const w of require("./package.json").workspaces) if (require("./"+w+"/package.json").scripts?.test) console.log(w)'); do
  log="$results/$(echo "$ws" | tr / -).log"
  echo "-- $ws"
  npm test -w "$ws" 2>&1 | tee "$log" | grep -E '^# (pass|fail)|not ok' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  count_node "$log"
done

echo
echo "logs: $results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] || status=1
exit $status
