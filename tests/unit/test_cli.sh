#!/bin/sh
# test_cli.sh IMIP_MILTER IMIPCTL - the daemon's command line: -h, -n, -p,
# -u, the refusal to serve as root, and -t offline mode (decides and
# prints, stores nothing).
set -u
bin=${1:?usage: test_cli.sh IMIP_MILTER IMIPCTL}
ctl=${2:?usage: test_cli.sh IMIP_MILTER IMIPCTL}
data=${IMIP_TESTDATA:?IMIP_TESTDATA not set}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0

check() {	# check NAME WANT_STATUS GOT_STATUS [PATTERN FILE]
	name=$1 want=$2 got=$3
	if [ "$got" != "$want" ]; then
		echo "FAIL $name: exit status got $got, want $want"
		sed 's/^/    /' "$tmp/out" | head -20
		fails=$((fails + 1))
		return
	fi
	if [ $# -ge 5 ] && ! grep -qE -- "$4" "$5"; then
		echo "FAIL $name: no line matching /$4/ in:"
		sed 's/^/    /' "$5" | head -20
		fails=$((fails + 1))
		return
	fi
	echo "ok   $name"
	passes=$((passes + 1))
}

run() {		# run ARGS...: status in $st, stdout+stderr in $tmp/out
	"$bin" "$@" >"$tmp/out" 2>&1
	st=$?
}

"$ctl" --db "$tmp/imip.db" init >/dev/null &&
"$ctl" --db "$tmp/imip.db" calendar add room-a@example.org \
    --kind resource --name "Room A" --tz Europe/Berlin >/dev/null &&
"$ctl" --db "$tmp/imip.db" calendar set room-a@example.org external yes \
    >/dev/null || exit 1
cat >"$tmp/good.conf" <<CONF
socket = unix:$tmp/milter.sock
database = $tmp/imip.db
sendmail_path = /bin/cat
local_domains = example.org
CONF
printf 'socket = unix:%s/s\nno_such_key = 1\n' "$tmp" >"$tmp/unknown.conf"
printf 'sendmail_path = %s/missing/sendmail\n' "$tmp" >"$tmp/nosendmail.conf"
printf 'allow_root = maybe\n' >"$tmp/badbool.conf"
printf '\n\nsocket_mode = 0999\n' >"$tmp/badmode.conf"

run -h;				check "-h prints usage" 0 $st '^usage:' "$tmp/out"
run -x;				check "unknown option" 2 $st '^usage:' "$tmp/out"
run -h;				check "-h shows -u" 0 $st '-u USER\[:GROUP\]' \
				    "$tmp/out"
run -n -c "$tmp/badbool.conf";	check "-n on a bad boolean" 1 $st \
				    'badbool.conf:1: allow_root: bad value "maybe"' \
				    "$tmp/out"
run -n -c "$tmp/badmode.conf";	check "-n on a bad mode" 1 $st \
				    'badmode.conf:3: socket_mode: bad mode "0999"' \
				    "$tmp/out"
run -n -c "$tmp/good.conf" -u no-such-user-$$
				check "-n checks the -u user" 1 $st \
				    "-u no-such-user-$$: no such user" "$tmp/out"
run -n -c "$tmp/good.conf" -u "$(id -un):no-such-group-$$"
				check "-n checks the -u group" 1 $st \
				    'no such group' "$tmp/out"
run -n -c "$tmp/good.conf" -u "$(id -un)"
				check "-n with a known -u user" 0 $st
if [ "$(id -u)" = 0 ]; then
	# It must refuse before binding; timeout only guards against a hang.
	timeout 20 "$bin" -f -c "$tmp/good.conf" >"$tmp/out" 2>&1
	st=$?
	check "root without -u or allow_root is refused" 1 $st \
	    'refusing to run as root: start it with -u user\[:group\], or set' \
	    "$tmp/out"
	check "the refusal names allow_root" 1 $st 'allow_root = yes' \
	    "$tmp/out"
	if [ -e "$tmp/milter.sock" ]; then
		echo "FAIL root is refused before binding"
		fails=$((fails + 1))
	fi
fi
run -n -c "$tmp/good.conf";	check "-n on a good file" 0 $st
[ -s "$tmp/out" ] && { echo "FAIL -n prints nothing when fine"; fails=$((fails + 1)); }
run -n -c "$tmp/unknown.conf";	check "-n names file and line" 1 $st \
				    'unknown.conf:2: .*no_such_key' "$tmp/out"
run -n -c "$tmp/nosendmail.conf"; check "-n checks sendmail_path" 1 $st \
				    'sendmail_path' "$tmp/out"
run -n -c "$tmp/missing.conf";	check "-n on a missing file" 1 $st \
				    'missing.conf' "$tmp/out"
run -n -c "$tmp/good.conf" -p tcp:25; check "-p overrides socket" 1 $st \
				    'tcp:25' "$tmp/out"
run -c "$tmp/good.conf" -t "$data/msg-invite.eml"
				check "-t needs --rcpt" 2 $st '^usage:' "$tmp/out"

run -c "$tmp/good.conf" -t "$data/msg-invite.eml" --from alice@example.com \
    --rcpt room-a@example.org
check "-t books in the dry run" 0 $st 'decision=ACCEPTED status=2.0' "$tmp/out"
check "-t prints the reply" 0 $st 'PARTSTAT=ACCEPTED' "$tmp/out"
check "-t logs the decision" 0 $st '^imip-milter: info: offline: room-a' \
    "$tmp/out"
n=$(sqlite3 "$tmp/imip.db" 'SELECT (SELECT count(*) FROM event) +
    (SELECT count(*) FROM busy) + (SELECT count(*) FROM outbox) +
    (SELECT count(*) FROM journal)')
printf '%s\n' "$n" >"$tmp/rows"
check "-t stores nothing" 0 0 '^0$' "$tmp/rows"

run -c "$tmp/good.conf" -t "$data/msg-plain.eml" --rcpt room-a@example.org
check "-t plain mail takes the fast path" 0 $st '^fast path' "$tmp/out"
run -c "$tmp/good.conf" -t "$data/msg-truncated-calendar.eml" \
    --from alice@example.com --rcpt room-a@example.org
check "-t malformed data: accepted" 0 $st '^verdict: accept' "$tmp/out"
check "-t malformed data: says why" 0 $st 'warning: .*malformed' "$tmp/out"
if grep -q 'X-iMIP-Schedule' "$tmp/out"; then
	echo "FAIL -t malformed data adds no header"; fails=$((fails + 1))
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
