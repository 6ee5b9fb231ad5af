#!/usr/bin/env bash
# Side by side with Linux's IOVA allocator: runs the peer harness (Linux 6.1 drivers/iommu/iova.c,
# ../shared/bench-peers/linux-iova/run.sh) and `dmawin bench iova` one after the other on the same
# machine, then prints each workload's ns/op on both sides and the ratio Linux ns / dmawin ns
# (above 1: dmawin is faster), with the target of issue 11. Figures on shared machines move by up
# to +-40% from run to run; compare ratios from one run, not across runs.
#   DMAWIN=path/to/dmawin    (default: build-release/tools/dmawin/dmawin)
#   LINUX_IOVA_RUN=path/to/run.sh
# Exit status: 0 when both sides ran, 2 when something is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
peer=${LINUX_IOVA_RUN:-$root/../shared/bench-peers/linux-iova/run.sh}
dmawin=${DMAWIN:-$root/build-release/tools/dmawin/dmawin}
if [[ ! -x "$dmawin" ]]; then
	echo "compare.sh: $dmawin is not built; try: scripts/configure.sh build-release" \
		"-Dbuildtype=release -Dtests=false && ninja -C build-release tools/dmawin/dmawin" >&2
	exit 2
fi
if [[ ! -x "$peer" ]]; then
	echo "compare.sh: peer harness $peer not found" >&2
	exit 2
fi
linux=$(mktemp)
ours=$(mktemp)
trap 'rm -f "$linux" "$ours"' EXIT
"$peer" >"$linux"
"$dmawin" bench iova >"$ours"
python3 - "$linux" "$ours" <<'EOF'
import json, sys

targets = {"iova_1page": 3, "iova_ring_256": 3, "iova_mixed": 5, "iova_2threads": 2,
           "iova_fragmented_32bit_ok": 10, "iova_fragmented_32bit_fail": 1000}

def load(path):
    out = {}
    for line in open(path):
        line = line.strip()
        if line.startswith("{"):
            o = json.loads(line)
            out[o["workload"]] = o
    return out

linux, ours = load(sys.argv[1]), load(sys.argv[2])
print(f"{'workload':28} {'linux ns':>12} {'dmawin ns':>12} {'ratio':>9} {'target':>7}")
for name, target in targets.items():
    l, d = linux.get(name), ours.get(name)
    if not l or not d:
        print(f"{name:28} {'missing':>12}")
        continue
    ratio = l["ns_per_op"] / d["ns_per_op"] if d["ns_per_op"] > 0 else float("inf")
    mark = "ok" if ratio >= target else "BELOW"
    print(f"{name:28} {l['ns_per_op']:12.2f} {d['ns_per_op']:12.2f} {ratio:9.2f} {target:>6}x {mark}")
two = ours.get("iova_2threads", {})
if "scaling_vs_1_thread" in two:
    print(f"dmawin two-thread scaling (wall, aggregate vs one thread): "
          f"{two['scaling_vs_1_thread']:.2f}x (target 1.8x; needs two idle cores)")
if "cpu_ns_per_pair_2_threads" in two:
    print(f"dmawin CPU ns per pair and thread: {two['cpu_ns_per_pair_2_threads']:.2f} with two "
          f"threads, {two['cpu_ns_per_pair_1_thread']:.2f} alone (equal = no contention)")
frag = ours.get("iova_fragmented_32bit_ok", {})
if "first_half_ns" in frag:
    print(f"dmawin fragmented_ok first half {frag['first_half_ns']:.1f} ns, "
          f"second half {frag['second_half_ns']:.1f} ns")
tree = ours.get("iova_tree_mixed")
if tree and "iova_mixed" in linux:
    print(f"iova_tree_mixed (no magazines): {tree['ns_per_op']:.1f} ns, "
          f"ratio {linux['iova_mixed']['ns_per_op'] / tree['ns_per_op']:.2f} vs Linux iova_mixed")
EOF
