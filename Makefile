# The README's two commands, plus helpers. Everything goes through meson + ninja.
.PHONY: all run test bootstrap format bench fuzz clean

all: build/build.ninja
	ninja -C build

bootstrap:
	@scripts/bootstrap.sh

build/build.ninja: | bootstrap
	@scripts/configure.sh build

run: bootstrap all
	build/tools/dmawin/dmawin sim

test: bootstrap
	scripts/test.sh

bench: bootstrap
	scripts/configure.sh build-release -Dbuildtype=release -Dtests=false && ninja -C build-release
	build-release/tools/dmawin/dmawin bench

# Every fuzz harness for FUZZ_SECONDS (default 300) each.
fuzz: bootstrap
	CC=clang scripts/configure.sh build-fuzz -Dfuzz=true -Dtests=false -Dwerror=false \
		-Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
	ninja -C build-fuzz
	FUZZ_SECONDS=$${FUZZ_SECONDS:-300} meson test -C build-fuzz --suite fuzz -v -t 100

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-san build-tsan build-fuzz build-release build-*.log
