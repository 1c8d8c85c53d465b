# imipctl_lib.sh - what the shell tests of imipctl(8) share; sourced.
#
# Sets IMIPCTL (the first argument of the test), a temporary directory T
# removed at exit, DB inside it and failed=0, and defines run, has, empty,
# lacks, line and json.  The test ends with "exit $failed".

IMIPCTL=${1:?usage: $0 IMIPCTL}
T=$(mktemp -d "${TMPDIR:-/tmp}/test_imipctl.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
DB="$T/imip.db"
failed=0

# run WANT_RC CMD... - run imipctl, keep stdout/stderr, check the exit code
run() {
	want=$1
	shift
	"$IMIPCTL" "$@" >"$T/out" 2>"$T/err"
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: imipctl $*: got exit $got, want $want" >&2
		sed 's/^/	err: /' "$T/err" >&2
		failed=1
	fi
}

# has FILE TEXT - FILE (out or err) contains the fixed string TEXT
has() {
	if ! grep -qF -- "$2" "$T/$1"; then
		echo "FAIL: std$1 lacks \"$2\":" >&2
		sed 's/^/	/' "$T/$1" >&2
		failed=1
	fi
}

# empty FILE - nothing was written to FILE (out or err)
empty() {
	if [ -s "$T/$1" ]; then
		echo "FAIL: std$1 should be empty:" >&2
		sed 's/^/	/' "$T/$1" >&2
		failed=1
	fi
}

# lacks FILE TEXT - FILE (out or err) does not contain the fixed string TEXT
lacks() {
	if grep -qF -- "$2" "$T/$1"; then
		echo "FAIL: std$1 should not contain \"$2\":" >&2
		sed 's/^/	/' "$T/$1" >&2
		failed=1
	fi
}

# line N TEXT - line N of stdout contains TEXT (the order of listings)
line() {
	if ! sed -n "$1p" "$T/out" | grep -qF -- "$2"; then
		echo "FAIL: stdout line $1 lacks \"$2\":" >&2
		sed 's/^/	/' "$T/out" >&2
		failed=1
	fi
}

# json - stdout parses as a JSON array; print it compact for "has"
json() {
	if ! python3 -c 'import json, sys
v = json.load(open(sys.argv[1], encoding="utf-8"))
assert isinstance(v, list)
print(json.dumps(v, ensure_ascii=False, sort_keys=True))' "$T/out" \
	    >"$T/json"; then
		echo "FAIL: not a JSON array:" >&2
		sed 's/^/	/' "$T/out" >&2
		failed=1
	fi
}
