#!/usr/bin/env bash
# Checks that the Debian packages the build needs are installed. As root it installs the missing
# ones; otherwise it prints the apt-get line to run and fails. No apt call when nothing is missing.
set -euo pipefail

packages=(
	gcc g++ make pkg-config python3 binutils xz-utils gzip
	meson ninja-build
	libcmocka-dev libjansson-dev liblzma-dev zlib1g-dev
	clang libclang-rt-14-dev
	mandoc
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$status" == "install ok installed" ]] || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "bootstrap: missing build packages: ${missing[*]}" >&2
	echo "bootstrap: run as root:  apt-get update && $line" >&2
	exit 1
fi
echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
