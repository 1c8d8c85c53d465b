#!/bin/sh
# check-layout.sh SRCDIR - structural rules of ARCHITECTURE.md and STYLE.md:
# core/ never includes libmilter, and no source file grows past 800 lines.
set -u
src=${1:?usage: check-layout.sh SRCDIR}
status=0

hits=$(grep -rlE 'libmilter|mfapi\.h|smfi_' "$src/core" 2>/dev/null)
if [ -n "$hits" ]; then
	echo "core/ mentions libmilter (move that code to milter/):"
	echo "$hits"
	status=1
fi
for f in "$src"/core/*.[ch] "$src"/milter/*.[ch] "$src"/tools/*.[ch]; do
	[ -f "$f" ] || continue
	n=$(wc -l < "$f")
	if [ "$n" -gt 800 ]; then
		echo "$f: $n lines (budget: 800; split it by concept)"
		status=1
	fi
done
[ $status -eq 0 ] && echo "layout: ok"
exit $status
