#!/bin/sh
# dmawin vfio-run: the client's answers through the preload, its exit status, and bad input.
set -u
dmawin=$1 client=$2
fail=0
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$dmawin" vfio-run --report "$out/r.json" -- "$client" || { echo "FAIL: client"; fail=1; }
grep -q '"platform": "powernv"' "$out/r.json" || { echo "FAIL: report"; fail=1; }
"$dmawin" vfio-run --device 0000:07:00.0 -- "$client" 2>"$out/e"; rc=$?
[ "$rc" -eq 2 ] && grep -q 'no such PCI function' "$out/e" || { echo "FAIL: bad BDF ($rc)"; fail=1; }
"$dmawin" vfio-run -- /bin/sh -c 'exit 7'; rc=$?
[ "$rc" -eq 7 ] || { echo "FAIL: exit status $rc"; fail=1; }
"$dmawin" vfio-run 2>/dev/null; [ $? -eq 2 ] || { echo "FAIL: no program"; fail=1; }
exit $fail
