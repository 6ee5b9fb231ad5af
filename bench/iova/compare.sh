#!/usr/bin/env bash
# Side by side with Linux's IOVA allocator (issue 17): runs the peer harness (Linux 6.1
# drivers/iommu/iova.c, ../shared/bench-peers/linux-iova/run.sh), this directory's Linux runner of
# the locked-path workloads (linux_locked.c: alloc_iova(size_aligned) + free_iova, built with the
# peer's shims and cached kernel source) and `dmawin bench iova` one after the other, RUNS times
# (default 3), then prints per workload the median over the runs of Linux ns, dmawin ns and of
# the per-run ratio Linux ns / dmawin ns (above 1: dmawin is faster), with the issue's target,
# and the load average before and after each side of each run. Ratios are taken within one run:
# figures on shared machines move by up to +-40% from run to run.
#   DMAWIN=path/to/dmawin      (default: build-release/tools/dmawin/dmawin)
#   BASELINE_DMAWIN=path       (optional: an older dmawin, run in the same runs; its ns are
#                               printed beside, for "nothing else slower")
#   LINUX_IOVA_RUN=path/to/run.sh   RUNS=n   KEEP=dir (keep the raw JSON lines there)
# Exit status: 0 when every side ran, 2 when something is missing or a build fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
peer_dir=$root/../shared/bench-peers/linux-iova
peer=${LINUX_IOVA_RUN:-$peer_dir/run.sh}
dmawin=${DMAWIN:-$root/build-release/tools/dmawin/dmawin}
base=${BASELINE_DMAWIN:-}
runs=${RUNS:-3}
if [[ ! -x "$dmawin" ]]; then
	echo "compare.sh: $dmawin is not built; try: scripts/configure.sh build-release" \
		"-Dbuildtype=release -Dtests=false && ninja -C build-release tools/dmawin/dmawin" >&2
	exit 2
fi
if [[ ! -x "$peer" || ! -f "$peer_dir/build.sh" ]]; then
	echo "compare.sh: peer harness $peer (and $peer_dir/build.sh) not found" >&2
	exit 2
fi
if [[ -n "$base" && ! -x "$base" ]]; then
	echo "compare.sh: BASELINE_DMAWIN=$base is not executable" >&2
	exit 2
fi
out=${KEEP:-$(mktemp -d)}
mkdir -p "$out"
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$out"' EXIT

# The locked-path runner: the peer's build.sh fetches and caches the kernel source (and builds
# the peer harness), then linux_locked.c is compiled exactly as build.sh compiles harness.c.
cache=${CACHE:-/var/tmp/linux-iova-src}
locked_bin=$out/linux-iova-locked
src=$cache/linux-source-6.1
if [[ ! -f "$src/drivers/iommu/iova.c" || ! -d "$cache/ovl/linux" ]]; then
	CACHE=$cache "$peer_dir/build.sh" "${LINUX_IOVA_BENCH:-$cache/linux-iova-bench}" >/dev/null ||
		{ echo "compare.sh: $peer_dir/build.sh failed" >&2; exit 2; }
fi
cc -O2 -g -std=gnu11 -w -Werror=implicit-function-declaration -pthread -I"$peer_dir/shim" \
	-I"$cache/ovl" "$root/bench/iova/linux_locked.c" "$src/drivers/iommu/iova.c" \
	"$src/lib/rbtree.c" -o "$locked_bin" ||
	{ echo "compare.sh: cannot build the Linux locked-path runner" >&2; exit 2; }

load() { cut -d' ' -f1-3 /proc/loadavg; }
for ((r = 1; r <= runs; r++)); do
	{
		echo "linux_before $(load)"
		"$peer" >"$out/linux.$r"
		"$locked_bin" >>"$out/linux.$r"
		echo "linux_after $(load)"
		"$dmawin" bench iova >"$out/dmawin.$r"
		"$dmawin" bench guest_map_unmap_4k_indirect_iova >>"$out/dmawin.$r"
		echo "dmawin_after $(load)"
		if [[ -n "$base" ]]; then
			"$base" bench iova >"$out/base.$r"
			"$base" bench guest_map_unmap_4k_indirect_iova >>"$out/base.$r"
			echo "base_after $(load)"
		fi
	} >"$out/load.$r"
	echo "compare.sh: run $r of $runs done ($(load))" >&2
done

python3 - "$out" "$runs" "$base" <<'EOF'
import json, statistics, sys

out, runs, have_base = sys.argv[1], int(sys.argv[2]), bool(sys.argv[3])
# Linux ns / dmawin ns to reach (issue 17); None: no Linux counterpart, compared with the baseline.
targets = {
    "iova_1page": 4, "iova_ring_256": 4, "iova_mixed": None, "iova_2threads": 3,
    "iova_fragmented_32bit_ok": 20, "iova_fragmented_32bit_fail": None,
    "iova_locked_1page": 1.5, "iova_locked_1_64": 1.5, "iova_locked_ring_256": 1.5,
    "iova_locked_2threads": 1.5, "iova_locked_fail_32bit": 1.5,
    "iova_tree_mixed": None, "guest_map_unmap_4k_indirect_iova": None,
}

def load(path):
    res = {}
    try:
        for line in open(path):
            line = line.strip()
            if line.startswith("{"):
                o = json.loads(line)
                res[o["workload"]] = o
    except FileNotFoundError:
        pass
    return res

linux = [load(f"{out}/linux.{r}") for r in range(1, runs + 1)]
ours = [load(f"{out}/dmawin.{r}") for r in range(1, runs + 1)]
base = [load(f"{out}/base.{r}") for r in range(1, runs + 1)] if have_base else []
med = statistics.median

def ns(side, name):
    return [s[name]["ns_per_op"] for s in side if name in s and s[name]["ns_per_op"] > 0]

print(f"{runs} runs, medians")
hdr = f"{'workload':34} {'linux ns':>11} {'dmawin ns':>11} {'ratio':>8} {'target':>7}"
print(hdr + ("  baseline ns  dmawin/base" if have_base else ""))
for name, target in targets.items():
    l, d = ns(linux, name), ns(ours, name)
    if not d:
        print(f"{name:34} {'missing':>11}")
        continue
    ratios = [s[name]["ns_per_op"] / o[name]["ns_per_op"] for s, o in zip(linux, ours)
              if name in s and name in o and o[name]["ns_per_op"] > 0]
    lcol = f"{med(l):11.2f}" if l else f"{'-':>11}"
    rcol = f"{med(ratios):8.2f}" if ratios else f"{'-':>8}"
    if target is None or not ratios:
        tcol = f"{'-':>7}"
    else:
        tcol = f"{target:>6}x " + ("ok" if med(ratios) >= target else "BELOW")
    line = f"{name:34} {lcol} {med(d):11.2f} {rcol} {tcol}"
    b = ns(base, name)
    if b:
        line += f"  {med(b):11.2f}  {med(d) / med(b):10.3f}"
    print(line)

def extra(key, side=ours, name="iova_2threads"):
    v = [s[name][key] for s in side if name in s and key in s[name]]
    return med(v) if v else None

sc = extra("scaling_vs_1_thread")
if sc is not None:
    print(f"dmawin two-thread scaling (wall, aggregate vs one thread alone): {sc:.2f}x "
          f"(target 1.9x; needs two idle cores)")
c2, c1 = extra("cpu_ns_per_pair_2_threads"), extra("cpu_ns_per_pair_1_thread")
if c2 is not None:
    print(f"dmawin CPU ns per pair and thread: {c2:.2f} with two threads, {c1:.2f} alone")
f = "iova_fragmented_32bit_ok"
fo, lo = extra("first_octile_ns", name=f), extra("last_octile_ns", name=f)
if fo is not None:
    print(f"dmawin fragmented_ok first octile {fo:.1f} ns, last octile {lo:.1f} ns "
          f"(last/first {lo / fo:.2f})")
    for r, s in enumerate(ours, 1):
        if f in s and "octiles_ns" in s[f]:
            print(f"  run {r} octiles: " + " ".join(f"{x:.0f}" for x in s[f]["octiles_ns"]))
for r in range(1, runs + 1):
    print(f"load averages run {r}: " + "; ".join(open(f"{out}/load.{r}").read().split("\n")[:-1]))
EOF
