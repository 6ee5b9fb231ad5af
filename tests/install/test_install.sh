#!/bin/sh
# `meson install` into a scratch DESTDIR, then build examples/embed_dma.c against the installed
# headers and libraries through pkg-config (as C, and the headers as C++), link it both shared
# and static, and run it.
set -eu
src=$1
build=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild >/dev/null
pcdir=$(dirname "$(find "$dest" -name dmawin.pc | head -n 1)")
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$dest"
flags=$(pkg-config --cflags --libs dmawin)
static=$(pkg-config --static --cflags --libs dmawin)
libdir=$dest$(PKG_CONFIG_SYSROOT_DIR= pkg-config --variable=libdir dmawin)
cc -std=c11 -Wall -Wextra -Werror "$src/examples/embed_dma.c" $flags -o "$dest/embed_shared"
LD_LIBRARY_PATH="$libdir" "$dest/embed_shared" | tee "$dest/out"
grep -q "guest received: hello through the TCE table" "$dest/out"
grep -q "after unmap, DMA returns -14" "$dest/out"
cc -std=c11 -Wall -Werror "$src/examples/embed_dma.c" -Wl,-Bstatic -ldmawin -Wl,-Bdynamic \
	$(printf '%s\n' $static | grep -v '^-ldmawin$') -o "$dest/embed_static"
"$dest/embed_static" >/dev/null
printf '#include <dmawin/papr.h>\n#include <dmawin/vfio.h>\n#include <dmawin/sim.h>\nint main() { return 0; }\n' |
	c++ -x c++ -Wall -Werror $(pkg-config --cflags dmawin) - -o "$dest/cxx"
echo "installed library, pkg-config file and headers work (shared, static, C++)"
