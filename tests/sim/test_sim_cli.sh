#!/bin/sh
# dmawin sim / plan from the outside: JSON parsed back, SVG parsed as XML, bad scenarios exit 2
# naming file and JSON path with nothing run, plan's --target answer, the examples, the man page.
set -u
dmawin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

# The default run: JSON parses, totals add up, every device ran and verified its bytes.
if "$dmawin" sim --json --svg "$tmp/d.svg" >"$tmp/d.json"; then
	python3 - "$tmp/d.json" "$tmp/d.svg" <<'PY' && ok "sim --json/--svg" || bad "sim --json/--svg"
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1]))
assert r["scenario"] == "default", r["scenario"]
devs = r["devices"]
assert len(devs) == 13
assert sum(d["ops"] for d in devs) == r["machine"]["ops_total"]
tables = sum(w["table_bytes"] for p in r["phbs"] for w in p["windows"] if w)
assert tables == r["machine"]["table_bytes_total"], (tables, r["machine"])
assert all(d["ran"] and d["mismatches"] == 0 for d in devs)
assert [d["mapping"] for d in devs if d["kind"] == "vf"] == ["indirect"] * 8
assert next(d for d in devs if d["name"] == "nic0")["mapping"] == "direct"
svg = ET.parse(sys.argv[2]).getroot()
assert svg.tag == "{http://www.w3.org/2000/svg}svg"
rects = svg.findall("{http://www.w3.org/2000/svg}rect")
# per PHB: the MSI marker, and per window its outline and occupancy bar
windows = sum(1 for p in r["phbs"] for w in p["windows"] if w)
assert len(rects) == len(r["phbs"]) + 2 * windows, (len(rects), windows)
PY
else
	bad "dmawin sim --json exited $?"
fi

# Text output is one screen and names every device.
"$dmawin" sim >"$tmp/d.txt" && grep -q "vf7" "$tmp/d.txt" && grep -q "^machine:" "$tmp/d.txt" &&
	ok "sim text" || bad "sim text"
# Seed 000 in the default run: the 48-bit GPU on the 4GB-mode PHB maps all RAM in the DDW at
# 4 GiB; the one on the classic PHB stays on the default window.
grep -Eq "^  gpu-4gb +gpu +48 +2 +0x100000000 +direct " "$tmp/d.txt" &&
	grep -Eq "^  gpu-classic +gpu +48 +1 +0x0 +indirect .*default window" "$tmp/d.txt" &&
	ok "sim seed 000 GPUs" || bad "sim seed 000 GPUs"

# plan --json parses; the 48-bit GPU on the classic PHB is told to use the 4GB mode.
if "$dmawin" plan --json >"$tmp/p.json"; then
	python3 - "$tmp/p.json" <<'PY' && ok "plan --json" || bad "plan --json"
import json, sys
p = json.load(open(sys.argv[1]))
g = next(d for d in p["devices"] if d["name"] == "gpu-classic")
assert g["recommended"] == "ddw-4gb" and g["current"] == "default", g
assert not g["options"]["ddw"]["reachable"] and g["options"]["ddw-4gb"]["reachable"]
assert p["target"] is None
PY
else
	bad "dmawin plan --json exited $?"
fi

# Bad scenario: exit 2, the message names file, JSON path and problem; nothing runs.
cat >"$tmp/bad.json" <<'J'
{"machine": {"ram": "1G"}, "phbs": [{"index": 0}],
 "devices": [{"name": "x", "kind": "nic", "dma_mask": 99}]}
J
out=$("$dmawin" sim "$tmp/bad.json" 2>&1); rc=$?
if [ $rc -eq 2 ] && printf '%s' "$out" | grep -q "bad.json: \$.devices\[0\].dma_mask: 99 is out of range" &&
	! printf '%s' "$out" | grep -q "^machine:"; then ok "bad scenario"; else bad "bad scenario: $rc $out"; fi
printf '{"machine": {"ram": "1G",}}' >"$tmp/syntax.json"
out=$("$dmawin" plan "$tmp/syntax.json" 2>&1); rc=$?
[ $rc -eq 2 ] && printf '%s' "$out" | grep -q "syntax.json:1:" && ok "syntax error" ||
	bad "syntax error: $rc $out"
out=$("$dmawin" sim "$tmp/none.json" 2>&1); rc=$?
[ $rc -eq 2 ] && printf '%s' "$out" | grep -q "none.json: cannot open" && ok "missing file" ||
	bad "missing file: $rc $out"
out=$("$dmawin" sim --bogus 2>&1); rc=$?
[ $rc -eq 2 ] && printf '%s' "$out" | grep -q "unknown option '--bogus'" && ok "bad option" ||
	bad "bad option: $rc $out"
out=$("$dmawin" sim --seed x 2>&1); rc=$?
[ $rc -eq 2 ] && ok "bad seed" || bad "bad seed: $rc"
out=$("$dmawin" sim --kernel-args disable_ddw 2>&1); rc=$?
[ $rc -eq 2 ] && ok "kernel args alone" || bad "kernel args alone: $rc"

# plan --target: the default against itself is safe; against a host without the 4GB mode not.
"$dmawin" plan --target "$src/scenarios/default.json" | grep -q "restored on the target: accepted" &&
	ok "target safe" ||
	bad "target safe"
sed 's/"placement": "4gb"/"placement": "qemu"/' "$src/scenarios/default.json" >"$tmp/p8.json"
out=$("$dmawin" plan --target "$tmp/p8.json"); rc=$?
[ $rc -eq 1 ] && printf '%s' "$out" | grep -q "UNSAFE" &&
	printf '%s' "$out" | grep -q "PHB 2 window 0x100000000" &&
	printf '%s' "$out" | grep -q "papr snapshot restored on the target: REFUSED" && ok "target unsafe" ||
	bad "target unsafe: $rc"

# --qemu-args builds the machine from a command line.
"$dmawin" sim --qemu-args "qemu-system-ppc64 -M pseries -m 2G -device nvme,id=d0" \
	--kernel-args "multitce=off" --json >"$tmp/q.json" &&
	python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['devices'][0]['name']=='d0' and r['devices'][0]['ran']" "$tmp/q.json" &&
	ok "qemu-args" || bad "qemu-args"

# --guest-kernel / --guest-page-size reach the run (the report names them), override the scenario,
# default to the newest kernel with its page size; bad values exit 2 naming the option.
q="qemu-system-ppc64 -M pseries -m 2G -device nvme,id=d0"
guest_of() { # guest_of ARGS... -> "KERNEL PAGE_SIZE" of the run
	"$dmawin" sim --json "$@" | python3 -c "import json,sys; g=json.load(sys.stdin)['guest']; print(g['kernel'], g['page_size'])"
}
[ "$(guest_of --qemu-args "$q")" = "6.12 4096" ] && ok "guest default 6.12/4K" ||
	bad "guest default: $(guest_of --qemu-args "$q")"
[ "$(guest_of --qemu-args "$q" --guest-kernel 6.1)" = "6.1 65536" ] && ok "--guest-kernel 6.1" ||
	bad "--guest-kernel 6.1"
[ "$(guest_of --qemu-args "$q" --guest-kernel 6.12 --guest-page-size 64K)" = "6.12 65536" ] &&
	ok "--guest-page-size 64K" || bad "--guest-page-size 64K"
printf '{"machine": {"ram": "2G"}, "guest": {"kernel": "6.1", "page_size": "4K"}, "phbs": [{"index": 0}], "devices": []}' >"$tmp/k.json"
printf '{"machine": {"ram": "2G"}, "guest": {"kernel": "6"}, "phbs": [{"index": 0}], "devices": []}' >"$tmp/b.json"
[ "$(guest_of "$tmp/k.json")" = "6.1 4096" ] && ok "guest.kernel/page_size" || bad "guest.kernel/page_size"
[ "$(guest_of "$tmp/k.json" --guest-kernel 6.12)" = "6.12 4096" ] && ok "flag overrides guest.kernel" ||
	bad "flag overrides guest.kernel"
"$dmawin" plan --guest-kernel 6.1 --guest-page-size 4K "$tmp/k.json" >/dev/null && ok "plan takes the guest flags" ||
	bad "plan guest flags"
bad_guest_flag() { # bad_guest_flag CMD MESSAGE-START ARGS...
	c=$1 want=$2; shift 2
	out=$("$dmawin" "$c" "$@" 2>&1 >/dev/null); rc=$?
	case "$(printf '%s\n' "$out" | head -1)" in
	"dmawin $c: $want"*) [ $rc -eq 2 ] && ok "$c $* -> 2" || bad "$c $*: exit $rc" ;;
	*) bad "$c $*: $out" ;;
	esac
}
for c in sim plan; do
	bad_guest_flag $c "--guest-kernel: '5.10' is not a modelled kernel (6.1, 6.12)" --guest-kernel 5.10
	bad_guest_flag $c "--guest-page-size: '16K' is not a kernel page size (4K, 64K)" --guest-page-size 16K
	bad_guest_flag $c "--guest-kernel needs a value" --guest-kernel
done
bad_guest_flag sim "$tmp/b.json: \$.guest.kernel: '6' is not a modelled kernel" "$tmp/b.json"

# A run's --trace-out replays on the model without a mismatch (dmawin replay exits 0).
q="qemu-system-ppc64 -M pseries -m 2G -device nvme,id=d0 -device e1000,id=n0"
if "$dmawin" sim --qemu-args "$q" --trace-out "$tmp/run.trace" >/dev/null &&
	[ -s "$tmp/run.trace" ] && "$dmawin" replay --qemu-args "$q" "$tmp/run.trace" >"$tmp/replay.txt"; then
	ok "trace-out replays"
else
	bad "trace-out replay: $(tail -3 "$tmp/replay.txt" 2>/dev/null)"
fi

# The examples load, plan and run.
for f in "$src"/examples/*.json; do
	"$dmawin" plan "$f" >/dev/null && "$dmawin" sim "$f" >/dev/null && ok "example $f" ||
		bad "example $f"
done

# The man page is clean for mandoc -Tlint and covers every subcommand.
if command -v mandoc >/dev/null 2>&1; then
	lint=$(mandoc -Tlint "$src/doc/man/dmawin.1" 2>&1)
	[ -z "$lint" ] && ok "mandoc lint" || bad "mandoc lint: $lint"
fi
for c in info bench sim plan replay; do
	grep -q "^\.It Cm $c\|^\.Ss $c\|^\.Sh.*$c\|Cm $c" "$src/doc/man/dmawin.1" || bad "man page lacks $c"
done
exit $fail
