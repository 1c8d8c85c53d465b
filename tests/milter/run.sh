#!/bin/sh
#
# run.sh - run one miltertest script against a private imip-milter.
#
# usage: run.sh tests/milter/t-CASE.lua
#
# Needs IMIP_BIN (the imip-milter binary) and IMIPCTL (the imipctl binary)
# in the environment; MILTERTEST and SQLITE3 may name other programs.
# Everything lives in a fresh temporary directory: the database, the
# configuration, the milter's unix socket, its log (stderr, -f) and the
# replies the stub sendmail receives.  The Lua script drives the milter
# protocol; what can only be seen from outside (database rows, log lines)
# is checked here afterwards, per case.  Exit status 0 means every check
# passed; 77 (meson's "skip") means a needed program is missing.
#
set -u

script=${1:?usage: run.sh SCRIPT.lua}
: "${IMIP_BIN:?IMIP_BIN must name the imip-milter binary}"
: "${IMIPCTL:?IMIPCTL must name the imipctl binary}"
MILTERTEST=${MILTERTEST:-miltertest}
SQLITE3=${SQLITE3:-sqlite3}

for prog in "$MILTERTEST" "$SQLITE3"; do
	if ! command -v "$prog" >/dev/null 2>&1; then
		echo "run.sh: $prog not found, skipping" >&2
		exit 77
	fi
done

case $script in
/*)	;;
*)	script=$(pwd)/$script ;;
esac
name=$(basename "$script" .lua)
dir=$(cd "$(dirname "$script")" && pwd)

tmp=$(mktemp -d "${TMPDIR:-/tmp}/imip-mt.XXXXXX") || exit 1
failures=0

fail() {
	echo "FAIL $name: $*" >&2
	failures=$((failures + 1))
}

# Stop a milter the script left running: only the process named in our
# own pid file, and only while it still is our binary.
stop_leftover() {
	[ -s "$tmp/milter.pid" ] || return 0
	pid=$(cat "$tmp/milter.pid")
	case $pid in
	''|*[!0-9]*) return 0 ;;
	esac
	kill -0 "$pid" 2>/dev/null || return 0
	exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
	[ -z "$exe" ] || [ "$exe" = "$(readlink -f "$IMIP_BIN")" ] || return 0
	fail "imip-milter (pid $pid) still running after the script"
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 60 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null
}

cleanup() {
	stop_leftover
	if [ "${IMIP_MT_KEEP:-}" = 1 ]; then
		echo "run.sh: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

db=$tmp/db
log=$tmp/milter.log
sent=$tmp/sent

# The database, made the way an administrator would.
if ! "$IMIPCTL" --db "$db" init ||
    ! "$IMIPCTL" --db "$db" calendar add room-a@example.org \
    --kind resource --name "Room A" --tz Europe/Berlin ||
    ! "$IMIPCTL" --db "$db" calendar set room-a@example.org external yes; then
	echo "run.sh: cannot prepare $db with $IMIPCTL" >&2
	exit 1
fi

# Replies are not delivered here: the stub keeps what it was given.
cat >"$tmp/sendmail" <<EOF
#!/bin/sh
{ echo "### \$*"; cat; } >>'$sent'
exit 0
EOF
chmod +x "$tmp/sendmail"

cat >"$tmp/imip-milter.conf" <<EOF
socket = unix:$tmp/milter.sock
database = $db
sendmail_path = $tmp/sendmail
pid_file = $tmp/milter.pid
log_level = debug
allow_root = yes
EOF
: >"$log"

IMIP_BIN=$(readlink -f "$IMIP_BIN")
IMIP_CONF=$tmp/imip-milter.conf
IMIP_SOCK=unix:$tmp/milter.sock
IMIP_LOG=$log
IMIP_DB=$db
IMIP_TMP=$tmp
IMIP_MT_DIR=$dir
SQLITE3=$(command -v "$SQLITE3")
export IMIP_BIN IMIP_CONF IMIP_SOCK IMIP_LOG IMIP_DB IMIP_TMP IMIP_MT_DIR \
    SQLITE3

"$MILTERTEST" -s "$script"
status=$?
[ $status -eq 0 ] || fail "miltertest exited with status $status"

# --- checks from outside --------------------------------------------------

sql() {
	"$SQLITE3" -batch -noheader -cmd '.timeout 5000' "$db" "$1"
}

expect_sql() {		# expect_sql WANT SQL
	got=$(sql "$2")
	[ "$got" = "$1" ] || fail "$2: got '$got', want '$1'"
}

expect_log() {		# expect_log REGEX WHAT
	grep -Eq -- "$1" "$log" || fail "no log line for $2 (/$1/)"
}

# A line about a message that does not start with the queue id we gave.
expect_qid_prefix() {	# expect_qid_prefix QID-REGEX
	bad=$(grep -E 'room-a@example\.org|uid=' "$log" |
	    grep -Ev "^imip-milter: [a-z]+: ($1): " || true)
	[ -z "$bad" ] || fail "log lines without a queue id prefix: $bad"
}

# The info line for a decision: "QID: CALENDAR METHOD uid=UID
# from=<SENDER>: DECISION ...", here always a REQUEST from alice to room-a.
expect_decision() {	# expect_decision QID UID DECISION
	expect_log "^imip-milter: info: $1: room-a@example\.org REQUEST \
uid=$2 from=<alice@example\.com>: $3( |\$)" "$3 for $2"
}

case $name in
t-plain-accept)
	expect_sql 0 'SELECT count(*) FROM event'
	expect_sql 0 'SELECT count(*) FROM journal'
	expect_log '^imip-milter: debug: PLAINQID1: nothing to schedule' \
	    'the fast path of mail to room-a'
	expect_log '^imip-milter: debug: PLAINQID2: nothing to schedule' \
	    'the fast path of mail to an unmanaged address'
	;;
t-invite-records-busy)
	expect_sql 1 'SELECT count(*) FROM busy'
	expect_sql 'mt-invite-1@example.com' \
	    'SELECT e.uid FROM busy b JOIN event e ON e.id = b.event_id'
	expect_sql 'mt-invite-1@example.com|ACCEPTED
mt-invite-2@example.com|DECLINED' \
	    'SELECT uid, partstat FROM event ORDER BY uid'
	# One reply per decision, sent or still pending, none failed.
	expect_sql 'alice@example.com
alice@example.com' \
	    'SELECT env_to FROM outbox WHERE failed IS NULL ORDER BY id'
	expect_sql 'TESTQID|ACCEPTED
TESTQID2|DECLINED' \
	    'SELECT queue_id, decision FROM journal ORDER BY id'
	expect_decision TESTQID mt-invite-1@example.com ACCEPTED
	expect_decision TESTQID2 mt-invite-2@example.com DECLINED
	expect_qid_prefix 'TESTQID|TESTQID2'
	;;
t-broken-ics-accepts)
	expect_log "^imip-milter: warning: BROKENQID: room-a@example\.org: \
malformed calendar data" 'the malformed calendar data'
	expect_sql 0 'SELECT count(*) FROM event'
	expect_sql 0 'SELECT count(*) FROM busy'
	expect_sql 0 'SELECT count(*) FROM outbox'
	expect_sql 'BROKENQID|MALFORMED' \
	    'SELECT queue_id, decision FROM journal'
	expect_qid_prefix 'BROKENQID'
	;;
t-forged-header-stripped)
	expect_sql 1 'SELECT count(*) FROM busy'
	expect_sql 1 'SELECT count(*) FROM outbox WHERE failed IS NULL'
	expect_decision FORGEDQID mt-forged@example.com ACCEPTED
	expect_qid_prefix 'FORGEDQID'
	;;
t-rcpt-failure-at-eom)
	expect_log "^imip-milter: warning: FAILQID: .* at RCPT \
<room-a@example\.org>, acted on at end of message" 'the deferred failure'
	expect_log '^imip-milter: error: FAILQID: internal error' \
	    'the tempfail at end of message'
	expect_sql 'OKQID|ACCEPTED' 'SELECT queue_id, decision FROM journal'
	errors_expected=FAILQID
	;;
t-forged-header-fast-path)
	expect_sql 0 'SELECT count(*) FROM event'
	expect_sql 0 'SELECT count(*) FROM outbox'
	;;
*)
	echo "run.sh: no outside checks for $name" >&2
	;;
esac

# Every case: the milter came up, stopped on miltertest's SIGTERM, and
# logged nothing at error level but about the messages meant to fail.
expect_log '^imip-milter: info: started on unix:' 'the start'
expect_log '^imip-milter: info: stopped$' 'a clean stop after SIGTERM'
errors=$(grep -E '^imip-milter: error:' "$log" || true)
if [ -n "${errors_expected:-}" ]; then
	errors=$(printf '%s\n' "$errors" |
	    grep -Ev "^imip-milter: error: ($errors_expected): " || true)
fi
[ -z "$errors" ] || fail "unexpected error lines: $errors"
# In a sanitizer build (tools/test-sanitize) or under valgrind (the
# valgrindmilter setup) a report lands in the same log, a leak report
# only at exit: any of them fails the case.
! grep -Eq '^==[0-9]+== ?ERROR:|: runtime error: ' "$log" ||
    fail "sanitizer or valgrind report in the milter log"
[ ! -e "$tmp/milter.pid" ] || fail "pid file left behind after the stop"

if [ $failures -ne 0 ]; then
	echo "--- milter log ($log)" >&2
	cat "$log" >&2
	exit 1
fi
echo "PASS $name"
exit 0
