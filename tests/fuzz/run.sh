#!/bin/sh
# run.sh FUZZER TARGET CORPUS [OPTION...] - run one libFuzzer target.
#
# CORPUS is the directory libFuzzer adds the inputs it finds to (made if
# missing; "-" for a temporary one, removed afterwards).  The seeds in
# tests/data and the crash inputs kept in tests/fuzz/regressions/TARGET
# are read and never written; every one of them runs before the first
# mutation, so a fixed crash that comes back fails here.  OPTIONs go to
# libFuzzer (-runs=N, -max_total_time=S, ...).  The smoke tests of
# tests/fuzz/meson.build and tools/fuzz both run targets through here.
set -u
usage="usage: run.sh FUZZER TARGET CORPUS [OPTION...]"
fuzzer=${1:?$usage}
target=${2:?$usage}
corpus=${3:?$usage}
shift 3
here=$(cd "$(dirname "$0")" && pwd)

tmp=
if [ "$corpus" = - ]; then
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/imip-fuzz-$target.XXXXXX") || exit 1
	corpus=$tmp
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
fi
mkdir -p "$corpus" || exit 1
# libFuzzer's own exit status for a finding is 77, meson's "skipped".
set -- -dict="$here/imip.dict" -error_exitcode=1 -timeout_exitcode=1 \
    "$@" "$corpus" "$here/../data"
if [ -d "$here/regressions/$target" ]; then
	set -- "$@" "$here/regressions/$target"
fi
"$fuzzer" "$@"
