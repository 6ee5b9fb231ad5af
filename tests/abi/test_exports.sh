#!/bin/sh
# libdmawin.so exports exactly the public API: every exported symbol is dmawin_*, and every
# function declared DMAWIN_API in include/dmawin/*.h is exported.
set -u
src=$1
lib=$2
fail=0
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | sort -u)
bad=$(printf '%s\n' "$exported" | grep -v '^dmawin_' || true)
if [ -n "$bad" ]; then
	echo "FAIL: exported symbols outside the API:"; printf '%s\n' "$bad"; fail=1
fi
declared=$(cat "$src"/include/dmawin/*.h | grep -v "^#define" | tr '\n' ' ' | grep -o 'DMAWIN_API[^;(]*(' |
	sed 's/($//' | awk '{print $NF}' | tr -d '*' | sort -u)
for f in $declared; do
	printf '%s\n' "$exported" | grep -qx "$f" || { echo "FAIL: $f declared but not exported"; fail=1; }
done
soname=$(objdump -p "$lib" | awk '/SONAME/ {print $2}')
case "$soname" in
libdmawin.so.0) ;;
*) echo "FAIL: SONAME is '$soname', want libdmawin.so.0"; fail=1 ;;
esac
echo "$(printf '%s\n' "$declared" | wc -l) declared functions, $(printf '%s\n' "$exported" | wc -l) exported"
exit $fail
