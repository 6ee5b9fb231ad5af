#!/usr/bin/env bash
# Configures a meson build directory the first time (an existing one is left as it is; remove it
# to change its options). Warnings are errors unless the options say otherwise.
set -euo pipefail
dir=$1; shift
werror=-Dwerror=true
buildtype=--buildtype=debugoptimized
for arg in "$@"; do
	[[ "$arg" == -Dwerror=* ]] && werror=
	[[ "$arg" == -Dbuildtype=* || "$arg" == --buildtype=* ]] && buildtype=
done
if [[ ! -f "$dir/build.ninja" ]]; then
	meson setup "$dir" $buildtype $werror "$@" >"$dir.setup.log" 2>&1 \
		|| { cat "$dir.setup.log" >&2; rm -rf "$dir"; exit 1; }
fi
