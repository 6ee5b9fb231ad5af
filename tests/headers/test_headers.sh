#!/bin/sh
# Every public header compiles on its own, as C11 with warnings as errors and as C++.
set -u
src=$1
cc=${CC:-cc}
cxx=${CXX:-c++}
fail=0
count=0
for h in "$src"/include/dmawin/*.h; do
	name=dmawin/$(basename "$h")
	count=$((count + 1))
	if ! printf '#include <%s>\n' "$name" | "$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror \
		-I"$src/include" -fsyntax-only -x c -; then
		echo "FAIL: $name does not compile alone as C11"; fail=1
	fi
	if command -v "$cxx" >/dev/null 2>&1 &&
		! printf '#include <%s>\nint main() { return 0; }\n' "$name" |
		"$cxx" -std=c++17 -Wall -Wextra -Werror -I"$src/include" -fsyntax-only -x c++ -; then
		echo "FAIL: $name does not compile as C++"; fail=1
	fi
done
echo "$count headers checked"
exit $fail
