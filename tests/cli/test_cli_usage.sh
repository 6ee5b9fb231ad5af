#!/bin/sh
# The tool's bad invocations exit 2 with a one-line message naming what was wrong; good ones exit 0.
set -u
dmawin=$1
fail=0

expect() { # expect STATUS PATTERN ARGS...
	want=$1 pattern=$2; shift 2
	out=$("$dmawin" "$@" 2>&1); got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: dmawin $*: exit $got, want $want"; fail=1
	elif [ -n "$pattern" ] && ! printf '%s' "$out" | grep -q -- "$pattern"; then
		echo "FAIL: dmawin $*: output lacks '$pattern': $out"; fail=1
	else
		echo "ok: dmawin $* -> $got"
	fi
}

expect 2 "usage"
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "unknown option '--frob'" --frob
expect 2 "unknown option '--bogus'" info --bogus
expect 2 "unknown option '--nope'" bench --nope
expect 2 "--reps needs a number" bench --reps 0
expect 2 "no workload matches 'no_such_workload'" bench no_such_workload
expect 2 "unknown command 'nope'" help nope
expect 0 "dmawin [0-9]" --version
expect 0 "commands:" --help
expect 0 "usage: dmawin info" help info
expect 0 "usage: dmawin bench" bench --help
expect 0 "layers: mem" info
expect 0 "IOMMU page sizes: 4K 64K 2M 16M 32M 64M 128M 256M 16G" info
expect 0 '"version"' info --json
expect 0 "mem_copy_in_64k" bench --list
exit $fail
