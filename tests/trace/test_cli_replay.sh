#!/bin/sh
# dmawin replay end to end: exit statuses 0/1/2, text and JSON output, stdin (plain and xz),
# malformed lines with and without --strict, a truncated .xz, bad options and --qemu-args.
set -u
dmawin=$1
traces=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

check() { # check DESCRIPTION EXPECTED-STATUS ACTUAL-STATUS
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: exit $3, expected $2"
		fails=$((fails + 1))
	else
		echo "ok: $1"
	fi
}
contains() { # contains DESCRIPTION FILE TEXT
	if grep -qF -- "$3" "$2"; then echo "ok: $1"; else
		echo "FAIL: $1: '$3' not in $2:"; cat "$2"; fails=$((fails + 1)); fi
}

P='7@100.000001:'
cat >"$tmp/clean.trace" <<T
${P}spapr_iommu_new_table liobn=0x80000000 table=0x1 fd=-1
${P}pci_nvme_io_cmd cid 1 nsid 0x1
${P}spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 tce=0x631f003 ret=0
${P}spapr_iommu_xlate liobn=0x80000000 0x1000 -> 0x631f000 perm=3 mask=0xfff
${P}spapr_iommu_pci_stuff liobn=0x80000000 ioba=0x2000 tcevalue=0x0 npages=1 ret=0
T
# past the 1 GiB default window QEMU answers H_PARAMETER, not success
{ cat "$tmp/clean.trace"; echo "${P}spapr_iommu_pci_put liobn=0x80000000 ioba=0x40001000 tce=0x3 ret=0"; } >"$tmp/bad.trace"
{ cat "$tmp/clean.trace"; echo "${P}spapr_iommu_pci_put liobn=0x80000000 ioba=0x1000 tce=0x3"; } >"$tmp/malformed.trace"

"$dmawin" replay "$tmp/clean.trace" >"$tmp/out" 2>"$tmp/err"
check "clean trace" 0 $?
contains "text result" "$tmp/out" "result: ok"
contains "unknown event named" "$tmp/out" "pci_nvme_io_cmd 1"

"$dmawin" replay "$tmp/bad.trace" >"$tmp/out" 2>"$tmp/err"
check "mismatching trace" 1 $?
contains "mismatch shown with its line" "$tmp/out" "line 6: ret of 0x80000000: trace 0, model -4"

"$dmawin" replay --json "$tmp/bad.trace" >"$tmp/out" 2>"$tmp/err"
check "json mismatching trace" 1 $?
contains "json counts" "$tmp/out" '"events":5,"replayed":4,"mismatches":1,"unknown_events":1,"malformed":0'
if command -v python3 >/dev/null; then
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["mismatches"] == 1' "$tmp/out"
	check "json parses" 0 $?
fi

"$dmawin" replay - <"$tmp/clean.trace" >"$tmp/out" 2>"$tmp/err"
check "plain stdin" 0 $?
xz -c "$tmp/clean.trace" | "$dmawin" replay --json - >"$tmp/out" 2>"$tmp/err"
check "xz stdin" 0 $?
contains "xz stdin counts" "$tmp/out" '"events":4'
gzip -c "$tmp/clean.trace" >"$tmp/clean.trace.gz"
"$dmawin" replay "$tmp/clean.trace.gz" >"$tmp/out" 2>"$tmp/err"
check "gzip file" 0 $?

"$dmawin" replay "$tmp/malformed.trace" >"$tmp/out" 2>"$tmp/err"
check "malformed line, going on" 0 $?
contains "malformed line named file:line:column" "$tmp/err" "$tmp/malformed.trace:6:"
contains "malformed line says what was expected" "$tmp/err" 'expected " ret="'
"$dmawin" replay --strict "$tmp/malformed.trace" >"$tmp/out" 2>"$tmp/err"
check "malformed line with --strict" 2 $?
contains "--strict says it stopped" "$tmp/err" "stopping (--strict)"

i=0
while [ $i -lt 3000 ]; do
	printf '%sspapr_iommu_pci_put liobn=0x80000000 ioba=0x%x tce=0x%x003 ret=0\n' "$P" $((i * 4096)) $i
	i=$((i + 1))
done >"$tmp/big.trace"
xz -c "$tmp/big.trace" >"$tmp/big.trace.xz"
size=$(wc -c <"$tmp/big.trace.xz")
head -c $((size / 2)) "$tmp/big.trace.xz" >"$tmp/cut.trace.xz"
"$dmawin" replay "$tmp/big.trace.xz" >"$tmp/out" 2>"$tmp/err"
check "whole xz" 0 $?
"$dmawin" replay "$tmp/cut.trace.xz" >"$tmp/out" 2>"$tmp/err"
check "truncated xz" 2 $?
contains "truncated xz named" "$tmp/err" "truncated xz data"

"$dmawin" replay "$tmp/none.trace" >"$tmp/out" 2>"$tmp/err"
check "missing file" 2 $?
"$dmawin" replay >"$tmp/out" 2>"$tmp/err"
check "no file" 2 $?
"$dmawin" replay --frobnicate "$tmp/clean.trace" >"$tmp/out" 2>"$tmp/err"
check "unknown option" 2 $?
"$dmawin" replay --qemu-args "qemu-system-ppc64 -M virt" "$tmp/clean.trace" >"$tmp/out" 2>"$tmp/err"
check "bad --qemu-args" 2 $?
"$dmawin" replay --qemu-args "qemu-system-ppc64 -M pseries -m 2G" "$tmp/clean.trace" >"$tmp/out" 2>"$tmp/err"
check "good --qemu-args" 0 $?

# the acceptance command on every real trace, when they are there
for meta in "$traces"/*.meta.txt; do
	[ -f "$meta" ] || continue
	name=${meta%.meta.txt}
	"$dmawin" replay --json --qemu-args "$(sed -n 's/^qemu_command: //p' "$meta")" \
		"$name.trace.xz" >"$tmp/out" 2>"$tmp/err"
	check "$(basename "$name") replays" 0 $?
	contains "$(basename "$name") has no mismatch" "$tmp/out" '"mismatches":0,'
done

[ $fails -eq 0 ]
