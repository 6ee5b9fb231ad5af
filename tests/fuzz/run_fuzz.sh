#!/bin/sh
# Runs one libFuzzer harness for FUZZ_SECONDS (default 20) from its seed corpus, without writing
# into the source tree, and prints the number of executions. Any crash fails the test; the
# crashing input is kept in $FUZZ_ARTIFACTS (default: the build directory) for a regression test.
set -eu
harness=$1
seeds=$2
seconds=${FUZZ_SECONDS:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=${FUZZ_ARTIFACTS:-$(dirname "$harness")}/
"$harness" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$artifacts" "$work" "$seeds" 2>"$work.log" || {
	tail -n 60 "$work.log"
	exit 1
}
grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work.log" || true
rm -f "$work.log"
