#!/usr/bin/env bash
# The whole test suite, as `make test` runs it: a normal build, the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer, and the threaded tests under ThreadSanitizer.
# Ends with one line, 'N passed, N failed', summed over every run.
set -uo pipefail
cd "$(dirname "$0")/.."

export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1

status=0
logs=()
runner=() # a command to run `meson test` under (see the TSan step)

# Builds and tests one directory. Its testlog.json is always listed: a build that fails leaves
# it missing, and the summary counts a missing log as a failure.
run_suite() {
	local dir=$1; shift
	logs+=("$dir/meson-logs/testlog.json")
	rm -f "$dir/meson-logs/testlog.json"
	if [[ ! -f "$dir/build.ninja" ]] || ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
		[[ -f "$dir.ninja.log" ]] && cat "$dir.ninja.log" >&2
		echo "test: build in $dir failed" >&2
		status=1
		return
	fi
	"${runner[@]}" meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || status=1
}

scripts/configure.sh build
run_suite build
scripts/configure.sh build-san -Db_sanitize=address,undefined -Db_lundef=false \
	-Dc_args=-fno-sanitize-recover=all -Dc_link_args=-fno-sanitize-recover=all
run_suite build-san --no-suite slow
scripts/configure.sh build-tsan -Db_sanitize=thread
# gcc 12's TSan cannot start under kernels with large mmap randomisation ("unexpected memory
# mapping"); the usual remedy is to run without address-space randomisation.
probe=$(mktemp -d)
printf 'int main(void) { return 0; }\n' >"$probe/p.c"
if cc -fsanitize=thread "$probe/p.c" -o "$probe/p" 2>/dev/null && ! "$probe/p" 2>/dev/null; then
	echo "test: TSan cannot start with ASLR here; running the threads suite under setarch -R" >&2
	runner=(setarch "$(uname -m)" -R)
fi
rm -rf "$probe"
run_suite build-tsan --suite threads
runner=()

# libFuzzer smoke run of every harness (clang): FUZZ_SECONDS each, 20 by default.
CC=clang scripts/configure.sh build-fuzz -Dfuzz=true -Dtests=false -Dwerror=false \
	-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
FUZZ_SECONDS=${FUZZ_SECONDS:-20} run_suite build-fuzz --suite fuzz

python3 scripts/test-summary.py "${logs[@]}" || status=1
exit $status
