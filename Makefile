# The README's two commands, plus helpers. Everything goes through meson + ninja.
.PHONY: all run test bootstrap format bench fuzz clean

all: build/build.ninja
	ninja -C build

bootstrap:
	@scripts/bootstrap.sh

build/build.ninja: | bootstrap
	@scripts/configure.sh build

run: bootstrap all
	build/tools/dmawin/dmawin info

test: bootstrap
	scripts/test.sh

bench: bootstrap
	scripts/configure.sh build-release --buildtype=release && ninja -C build-release
	build-release/tools/dmawin/dmawin bench

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-san build-tsan build-release build-*.log
