#!/bin/sh
# The sample boots through the tool: `dmawin sim` on each sample's own QEMU and kernel command
# lines (meta file) writes a trace whose boot-time calls (DDW RTAS calls with their config
# addresses and answers, boot clears, the direct map) equal the real trace's, by the rule of
# tests/guest/test_conformance.c (its --compare mode). Usage: DMAWIN COMPARE TRACES_DIR.
set -u
dmawin=$1 compare=$2 traces=$3
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
[ -f "$traces/default.meta.txt" ] || { echo "no sample traces: skipped"; exit 77; }

# sample NAME GUEST_KERNEL GUEST_PAGE_SIZE MIN_BOOT_CALLS
sample() {
	meta=$traces/$1.meta.txt
	if "$dmawin" sim --qemu-args "$(sed -n 's/^qemu_command: //p' "$meta")" \
		--kernel-args "$(sed -n 's/^kernel_append: //p' "$meta")" \
		--guest-kernel "$2" --guest-page-size "$3" --trace-out "$tmp/$1.log" \
		>"$tmp/$1.out" 2>"$tmp/$1.err"; then
		:
	else
		echo "FAIL: $1: dmawin sim exit $?: $(cat "$tmp/$1.err")"; fail=1; return
	fi
	if [ -s "$tmp/$1.err" ]; then
		echo "FAIL: $1: unexpected stderr: $(cat "$tmp/$1.err")"; fail=1
	fi
	if out=$("$compare" --compare "$traces/$1.trace.xz" "$tmp/$1.log" "$4" 2>&1); then
		echo "ok: $1: $out"
	else
		echo "FAIL: $1: $out"; fail=1
	fi
}

sample default 6.1 64K 515
sample disable_ddw 6.1 64K 512

# A -device type the model does not know: one warning line naming it, the run goes on.
err=$("$dmawin" sim --qemu-args "qemu-system-ppc64 -M pseries -m 1G -nodefaults -device nvme -device frob-pci" \
	2>&1 >/dev/null); rc=$?
n=$(printf '%s\n' "$err" | grep -c "frob-pci")
if [ "$rc" -eq 0 ] && [ "$n" -eq 1 ] && printf '%s' "$err" | grep -q "64-bit DMA mask"; then
	echo "ok: unknown device warned once"
else
	echo "FAIL: unknown device: exit $rc, stderr: $err"; fail=1
fi
# A malformed value: exit 2, one line naming the option.
err=$("$dmawin" sim --qemu-args "qemu-system-ppc64 -M pseries -device e1000,addr=0x40" 2>&1 >/dev/null); rc=$?
if [ "$rc" -eq 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ] && printf '%s' "$err" | grep -q "addr '0x40'"; then
	echo "ok: malformed addr exit 2"
else
	echo "FAIL: malformed addr: exit $rc, stderr: $err"; fail=1
fi
# An address conflict is QEMU's error, in plan and replay too (one parser).
for cmd in sim plan; do
	err=$("$dmawin" $cmd --qemu-args "qemu -nodefaults -device nvme,addr=2 -device e1000,addr=2.0" 2>&1 >/dev/null); rc=$?
	if [ "$rc" -eq 2 ] && printf '%s' "$err" | grep -q "slot 2 function 0 not available for e1000, in use by nvme"; then
		echo "ok: $cmd: addr conflict exit 2"
	else
		echo "FAIL: $cmd: addr conflict: exit $rc, stderr: $err"; fail=1
	fi
done
printf '' | "$dmawin" replay --qemu-args "qemu -device frob-pci" - >/dev/null 2>"$tmp/r.err"
grep -q "warning: --qemu-args: -device frob-pci" "$tmp/r.err" && echo "ok: replay warns" ||
	{ echo "FAIL: replay warning: $(cat "$tmp/r.err")"; fail=1; }
exit $fail
