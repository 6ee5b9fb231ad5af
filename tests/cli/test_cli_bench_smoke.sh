#!/bin/sh
# Every benchmark workload runs in quick mode and prints one well-formed JSON line.
set -eu
dmawin=$1
out=$("$dmawin" bench --quick)
printf '%s\n' "$out"
printf '%s\n' "$out" | python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    o = json.loads(line)
    assert o["ns_per_op"] > 0 and o["ops_per_s"] > 0, o
    if "baseline" in o:
        assert o["ratio"] > 0 and o["baseline_ns_per_op"] > 0, o
    n += 1
assert n > 0
print(n, "workloads ok")
'
