#!/usr/bin/env bash
# Configures a meson build directory once; later calls only reconfigure when options change.
set -euo pipefail
dir=$1; shift
werror=-Dwerror=true
if [[ ! -f "$dir/build.ninja" ]]; then
	meson setup "$dir" --buildtype=debugoptimized $werror "$@" >"$dir.setup.log" 2>&1 \
		|| { cat "$dir.setup.log" >&2; rm -rf "$dir"; exit 1; }
fi
