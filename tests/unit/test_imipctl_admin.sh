#!/bin/sh
# test_imipctl_admin.sh IMIPCTL - the administration commands of imipctl(8)
# end to end on a temporary database: calendar remove and rename, outbox
# retry and purge, freebusy --ifb's window from today, backup while another
# process writes, and check with good and bad configurations, databases
# and sockets.
#
# Bookings are seeded with python3 the way the filter stores them, relative
# to the clock, since "ahead" means after now.
set -u

. "$(dirname "$0")/imipctl_lib.sh"

# count SQL [FILE] - the one value sql answers on FILE (default $DB)
count() {
	python3 -c 'import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
	    "${2:-$DB}" "$1"
}

# want_count SQL N [FILE] - sql answers N on FILE (default $DB)
want_count() {
	got=$(count "$1" "${3:-$DB}")
	if [ "$got" != "$2" ]; then
		echo "FAIL: $1: got $got, want $2" >&2
		failed=1
	fi
}

run 0 --db "$DB" init
SCHEMA=$(sed -n 's/.*schema version \([0-9]*\)$/\1/p' "$T/out")
run 0 --db "$DB" calendar add room-a@example.org --kind resource \
    --tz Europe/Berlin
run 0 --db "$DB" calendar add room-b@example.org --kind resource
run 0 --db "$DB" calendar add room-c@example.org --kind resource

# room-a: one meeting tomorrow and one last week; room-b: last week only
python3 - "$DB" <<'PY' || failed=1
import sqlite3, sys, time
now = int(time.time())
db = sqlite3.connect(sys.argv[1])
ev = "INSERT INTO event (id, calendar_id, uid, organizer, summary," \
     " partstat, updated) VALUES (?, ?, ?, 'bob@example.org', 'x'," \
     " 'ACCEPTED', ?)"
busy = "INSERT INTO busy (calendar_id, event_id, start, end)" \
       " VALUES (?, ?, ?, ?)"
db.execute(ev, (1, 1, 'ahead@example.org', now))
db.execute(busy, (1, 1, now + 86400, now + 90000))
db.execute(ev, (2, 1, 'past@example.org', now))
db.execute(busy, (1, 2, now - 7 * 86400, now - 7 * 86400 + 3600))
db.execute(ev, (3, 2, 'old@example.org', now))
db.execute(busy, (2, 3, now - 7 * 86400, now - 7 * 86400 + 3600))
db.commit()
PY

# calendar remove: refused with bookings ahead, unless --force
run 0 --db "$DB" calendar remove --help
has out "calendar remove ADDRESS [--force]"
empty err
run 2 --db "$DB" calendar remove
has err "imipctl: calendar remove: missing ADDRESS"
run 2 --db "$DB" calendar remove room-a@example.org room-b@example.org
has err "unexpected argument 'room-b@example.org'"
run 2 --db "$DB" calendar remove room-a@example.org --yes
has err "unknown option --yes"
run 2 --db "$DB" calendar remove "room a"
has err "imipctl: calendar remove: not an address: room a"
run 1 --db "$DB" calendar remove nobody@example.org
has err "imipctl: no calendar nobody@example.org"
run 1 --db "$DB" calendar remove room-a@example.org
has err "imipctl: calendar room-a@example.org has 1 event with bookings ahead; --force removes it with them"
empty out
want_count "SELECT count(*) FROM event WHERE calendar_id = 1" 2
run 0 --db "$DB" calendar remove "<ROOM-B@example.org>"
has out "calendar room-b@example.org removed, with 0 events booked ahead"
want_count "SELECT count(*) FROM calendar WHERE address = 'room-b@example.org'" 0
want_count "SELECT count(*) FROM event WHERE calendar_id = 2" 0
want_count "SELECT count(*) FROM busy WHERE calendar_id = 2" 0
run 0 --db "$DB" calendar remove room-a@example.org --force
has out "calendar room-a@example.org removed, with 1 event booked ahead"
want_count "SELECT count(*) FROM event" 0
want_count "SELECT count(*) FROM busy" 0
run 0 --db "$DB" calendar list
lacks out "room-a@example.org"
has out "room-c@example.org"
# the journal keeps what was done, under the old address
run 0 --db "$DB" journal room-a@example.org
has out "imipctl   room-a@example.org"
has out "REMOVED"
has out "with 1 event booked ahead"

# calendar rename: keeps events and settings, refuses a taken address
run 0 --db "$DB" calendar add room-d@example.org --kind person
run 0 --db "$DB" calendar set room-c@example.org capacity 2
python3 - "$DB" <<'PY' || failed=1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO event (id, calendar_id, uid, partstat, updated)"
           " SELECT 10, id, 'kept@example.org', 'ACCEPTED', 0 FROM"
           " calendar WHERE address = 'room-c@example.org'")
db.commit()
PY
run 0 --db "$DB" calendar rename --help
has out "calendar rename ADDRESS NEW-ADDRESS"
run 2 --db "$DB" calendar rename room-c@example.org
has err "imipctl: calendar rename: missing ADDRESS NEW-ADDRESS"
run 2 --db "$DB" calendar rename room-c@example.org "conf c"
has err "imipctl: calendar rename: not an address: conf c"
run 2 --db "$DB" calendar rename room-c@example.org mailto:ROOM-C@example.org
has err "room-c@example.org is the address already"
run 1 --db "$DB" calendar rename room-c@example.org room-d@example.org
has err "imipctl: calendar room-d@example.org exists already"
run 1 --db "$DB" calendar rename nobody@example.org conf-c@example.org
has err "imipctl: no calendar nobody@example.org"
run 0 --db "$DB" calendar rename room-c@example.org "<Conf-C@Example.ORG>"
has out "calendar room-c@example.org renamed to conf-c@example.org"
run 0 --db "$DB" events conf-c@example.org
has out "kept@example.org"
run 0 --db "$DB" calendar list
has out "conf-c@example.org"
has out "capacity=2"
lacks out "room-c@example.org"
run 1 --db "$DB" events room-c@example.org
has err "no calendar room-c@example.org"
run 0 --db "$DB" journal room-c@example.org
has out "renamed to conf-c@example.org"
run 0 --db "$DB" journal conf-c@example.org
has out "renamed from room-c@example.org"

# outbox: 1 waiting (due in an hour), 2 given up, 3 sent 40 days ago,
# 4 sent yesterday, 5 waiting and created 40 days ago
python3 - "$DB" <<'PY' || failed=1
import sqlite3, sys, time
now, day = int(time.time()), 86400
db = sqlite3.connect(sys.argv[1])
q = "INSERT INTO outbox (id, created, env_from, env_to, message," \
    " next_attempt, attempts, last_error, sent, failed)" \
    " VALUES (?, ?, 'room-d@example.org', 'bob@example.org', 'x', ?, ?, ?," \
    " ?, ?)"
db.execute(q, (1, now - day, now + 3600, 2, '451 later', None, None))
db.execute(q, (2, now - day, now, 10, '550 no', None, now - 3600))
db.execute(q, (3, now - 41 * day, now, 1, None, now - 40 * day, None))
db.execute(q, (4, now - 2 * day, now, 1, None, now - day, None))
db.execute(q, (5, now - 40 * day, now + 3600, 9, '451 later', None, None))
db.commit()
PY

run 0 --db "$DB" outbox --help
has out "outbox retry ID|--all"
has out "outbox purge ID|--older-than DAYS [--force]"
run 0 --db "$DB" outbox retry --help
has out "outbox retry ID|--all"
empty err
run 2 --db "$DB" outbox retry
has err "imipctl: outbox retry: missing ID (or --all)"
run 2 --db "$DB" outbox retry 1 --all
has err "give ID or --all, not both"
run 2 --db "$DB" outbox retry 1 2
has err "unexpected argument '2'"
run 2 --db "$DB" outbox retry one
has err "imipctl: outbox retry: ID: want a whole number from 1 up, not 'one'"
run 2 --db "$DB" outbox retry 0
has err "not '0'"
run 2 --db "$DB" outbox retry --older-than 3
has err "unknown option --older-than"
run 1 --db "$DB" outbox retry 99
has err "imipctl: no outbox message 99"
run 1 --db "$DB" outbox retry 3
has err "imipctl: outbox message 3 was sent already; not sending it again"
run 0 --db "$DB" outbox retry 2
has out "outbox message 2 (failed) is due now"
want_count "SELECT count(*) FROM outbox WHERE id = 2 AND failed IS NULL
    AND attempts = 0 AND next_attempt <= strftime('%s', 'now')
    AND last_error = '550 no'" 1
run 0 --db "$DB" outbox retry --all
has out "3 messages due now"
want_count "SELECT count(*) FROM outbox WHERE sent IS NULL
    AND next_attempt <= strftime('%s', 'now')" 3
want_count "SELECT count(*) FROM outbox WHERE sent IS NOT NULL
    AND attempts = 1" 2

run 2 --db "$DB" outbox purge
has err "imipctl: outbox purge: missing ID (or --older-than DAYS)"
run 2 --db "$DB" outbox purge --older-than
has err "option --older-than needs an argument"
run 2 --db "$DB" outbox purge --older-than -1
has err "--older-than: want a whole number from 0 to 36600, not '-1'"
run 2 --db "$DB" outbox purge 3 --older-than 30
has err "give ID or --older-than DAYS, not both"
run 2 --db "$DB" outbox purge --all
has err "unknown option --all"
run 1 --db "$DB" outbox purge 1
has err "imipctl: outbox message 1 is not sent (waiting); --force deletes it"
want_count "SELECT count(*) FROM outbox WHERE id = 1" 1
run 1 --db "$DB" outbox purge 99
has err "imipctl: no outbox message 99"
# sent more than 30 days ago: 3 only; 5 is older but not sent
run 0 --db "$DB" outbox purge --older-than 30
has out "1 message deleted"
want_count "SELECT group_concat(id) FROM (SELECT id FROM outbox ORDER BY id)" "1,2,4,5"
run 0 --db "$DB" outbox purge 4
has out "1 message deleted"
# with --force, unsent ones created before the cut too
run 0 --db "$DB" outbox purge --older-than 30 --force
has out "1 message deleted"
want_count "SELECT group_concat(id) FROM (SELECT id FROM outbox ORDER BY id)" "1,2"
run 0 --db "$DB" outbox purge 2 --force
has out "1 message deleted"
run 0 --db "$DB" outbox list --all --json
json
has json '"id": 1'
lacks json '"id": 2'

# freebusy --ifb: the file imip-milter publishes, a day back to
# freebusy_days (60) or --days ahead; a booking tomorrow is in, one in 70
# days only in the longer window
run 0 --db "$DB" calendar add room-e@example.org --kind resource \
    --tz America/New_York
python3 - "$DB" >"$T/ifb" <<'PY' || failed=1
import datetime, sqlite3, sys, time
now, day = int(time.time()), 86400
db = sqlite3.connect(sys.argv[1])
cal, = db.execute("SELECT id FROM calendar WHERE address ="
                  " 'room-e@example.org'").fetchone()
db.execute("INSERT INTO event (id, calendar_id, uid, partstat, updated)"
           " VALUES (30, ?, 'ifb@example.org', 'ACCEPTED', 0)", (cal,))
for start in (now + day, now + 70 * day):
    db.execute("INSERT INTO busy (calendar_id, event_id, start, end)"
               " VALUES (?, 30, ?, ?)", (cal, start, start + 3600))
db.execute("UPDATE calendar SET busy_span_max = 3600 WHERE id = ?", (cal,))
db.commit()
fmt = lambda t: datetime.datetime.fromtimestamp(
    t, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
print(fmt(now + day), fmt(now + 70 * day))
PY
read -r tomorrow later <"$T/ifb"

# window DAYS - DTSTART is about a day before now, DTEND DAYS days after
window() {
	python3 - "$T/out" "$1" <<'PY' || failed=1
import datetime, re, sys, time
text, days = open(sys.argv[1]).read(), int(sys.argv[2])
def at(name):
    v = re.search(r"^%s:(\d{8}T\d{6}Z)\r?$" % name, text, re.M).group(1)
    return datetime.datetime.strptime(v, "%Y%m%dT%H%M%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
now = time.time()
assert abs(at("DTSTART") - (now - 86400)) < 30, "DTSTART"
assert abs(at("DTEND") - (now + days * 86400)) < 30, "DTEND"
PY
}

run 0 --db "$DB" freebusy room-e@example.org --ifb
has out "METHOD:PUBLISH"
has out "ORGANIZER:mailto:room-e@example.org"
has out "FREEBUSY;FBTYPE=BUSY:$tomorrow/"
lacks out "$later"
lacks out "ifb@example.org"
window 60
run 0 --db "$DB" freebusy room-e@example.org --ifb --days 90
has out "FREEBUSY;FBTYPE=BUSY:$later/"
window 90
run 2 --db "$DB" freebusy room-e@example.org
has err "--from and --to are required (but with --ifb)"

# with -c: freebusy_days, and the same periods as the file imip-milter
# writes (expand writes every published file again)
mkdir "$T/fb"
printf 'database = %s\nfreebusy_dir = %s\nfreebusy_days = 80\n' "$DB" \
    "$T/fb" >"$T/fb.conf"
run 0 --db "$DB" calendar set room-e@example.org publish-freebusy yes
run 0 -c "$T/fb.conf" freebusy room-e@example.org --ifb
has out "FREEBUSY;FBTYPE=BUSY:$later/"
window 80
grep -v '^DT\|^UID' "$T/out" >"$T/ifb.out"
run 0 -c "$T/fb.conf" expand
has out "free/busy published for 1 calendar in $T/fb"
grep -v '^DT\|^UID' "$T/fb/room-e@example.org.vfb" >"$T/ifb.file"
cmp -s "$T/ifb.out" "$T/ifb.file" || {
	echo "FAIL: freebusy --ifb differs from the published file:" >&2
	diff "$T/ifb.out" "$T/ifb.file" | sed 's/^/	/' >&2
	failed=1
}

# remove and rename take the published file along (with -c)
run 0 -c "$T/fb.conf" calendar rename room-e@example.org room-f@example.org
[ ! -e "$T/fb/room-e@example.org.vfb" ] &&
    [ -s "$T/fb/room-f@example.org.vfb" ] || {
	echo "FAIL: rename: the free/busy file did not follow" >&2
	ls "$T/fb" | sed 's/^/	/' >&2
	failed=1
}
grep -q "ORGANIZER:mailto:room-f@example.org" "$T/fb/room-f@example.org.vfb" ||
    { echo "FAIL: renamed free/busy file names the old address" >&2; failed=1; }
run 0 -c "$T/fb.conf" calendar remove room-f@example.org --force
has out "calendar room-f@example.org removed, with 1 event booked ahead"
[ -e "$T/fb/room-f@example.org.vfb" ] && {
	echo "FAIL: remove left the free/busy file" >&2
	failed=1
}

# check_copy FILE - FILE is a whole database: integrity ok, our schema
check_copy() {
	python3 - "$1" "$SCHEMA" <<'PY' || failed=1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ok, = db.execute("PRAGMA integrity_check").fetchone()
assert ok == "ok", "integrity_check: got %r" % ok
v, = db.execute("PRAGMA user_version").fetchone()
assert v == int(sys.argv[2]), "user_version: got %d, want %s" % (v,
                                                                 sys.argv[2])
PY
}

# wait_for FILE - until FILE exists (at most 10 s)
wait_for() {
	n=0
	while [ ! -e "$1" ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
}

run 0 --db "$DB" backup --help
has out "backup DEST"
run 2 --db "$DB" backup
has err "imipctl: backup: missing DEST"
run 2 --db "$DB" backup "$T/a.db" "$T/b.db"
has err "unexpected argument"
run 1 --db "$T/none.db" backup "$T/a.db"
has err "no database"
run 1 --db "$DB" backup "$DB"
has err "is the database itself"
run 1 --db "$DB" backup "$T/no/such/dir/copy.db"
has err "imipctl: backup: $T/no/such/dir/copy.db.tmp: No such file"

# another process holds a write transaction: the copy is made at once,
# without its uncommitted row
rows=$(count "SELECT count(*) FROM journal")
python3 - "$DB" "$T/locked" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
db.execute("INSERT INTO journal (at, decision) VALUES (0, 'UNCOMMITTED')")
open(sys.argv[2], "w").close()
time.sleep(8)
db.execute("ROLLBACK")
PY
locker=$!
wait_for "$T/locked"
start=$(date +%s)
run 0 --db "$DB" backup "$T/b1.db"
[ $(($(date +%s) - start)) -lt 5 ] || {
	echo "FAIL: backup waited for the writer" >&2
	failed=1
}
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
has out "$DB: copied to $T/b1.db (schema version $SCHEMA, integrity ok)"
check_copy "$T/b1.db"
want_count "SELECT count(*) FROM journal" "$rows" "$T/b1.db"
want_count "SELECT count(*) FROM journal WHERE decision = 'UNCOMMITTED'" 0 \
    "$T/b1.db"
[ -e "$T/b1.db.tmp" ] && {
	echo "FAIL: backup left b1.db.tmp" >&2
	failed=1
}

# another process commits in a loop: each copy is whole and in order
python3 - "$DB" "$T/stop" "$T/started" <<'PY' &
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
n = 0
while not os.path.exists(sys.argv[2]):
    db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO journal (at, decision, reason) VALUES"
               " (?, 'LOOP', ?)", (n, "x" * 2000))
    db.execute("COMMIT")
    n += 1
    if n == 50:
        open(sys.argv[3], "w").close()
PY
writer=$!
wait_for "$T/started"
last=0
for i in 1 2 3; do
	run 0 --db "$DB" backup "$T/b2.db"
	check_copy "$T/b2.db"
	n=$(count "SELECT count(*) FROM journal WHERE decision = 'LOOP'" \
	    "$T/b2.db")
	if [ "$n" -lt 50 ] || [ "$n" -lt "$last" ]; then
		echo "FAIL: backup $i: $n LOOP rows after $last" >&2
		failed=1
	fi
	last=$n
done
touch "$T/stop"
wait "$writer" || failed=1

# a -wal beside DEST would be replayed into the new copy: refused
: >"$T/b2.db-wal"
run 1 --db "$DB" backup "$T/b2.db"
has err "$T/b2.db-wal exists"
want_count "SELECT count(*) FROM journal WHERE decision = 'LOOP'" "$last" \
    "$T/b2.db"

# check: the milter socket of a good configuration accepts connections
# (a python listener stands in for the filter, unix and inet)
python3 - "$T/milter.sock" "$T/port" "$T/stop-listen" <<'PY' &
import os, socket, sys, time
u = socket.socket(socket.AF_UNIX)
u.bind(sys.argv[1])
u.listen(5)
i = socket.socket()
i.bind(("127.0.0.1", 0))
i.listen(5)
with open(sys.argv[2] + ".new", "w") as f:
    print(i.getsockname()[1], file=f)
os.rename(sys.argv[2] + ".new", sys.argv[2])
while not os.path.exists(sys.argv[3]):
    time.sleep(0.1)
PY
listener=$!
wait_for "$T/port"
port=$(cat "$T/port")
printf 'socket = unix:%s\ndatabase = %s\n' "$T/milter.sock" "$DB" >"$T/unix.conf"
printf 'socket = inet:%s@127.0.0.1\ndatabase = %s\n' "$port" "$DB" \
    >"$T/inet.conf"
printf 'socket = inet:%s@localhost\ndatabase = %s\n' "$port" "$DB" \
    >"$T/name.conf"
run 0 -c "$T/unix.conf" check
line 1 "config $T/unix.conf: ok"
line 2 "database $DB: ok (schema version $SCHEMA, integrity ok)"
line 3 "socket unix:$T/milter.sock: ok (accepts connections)"
empty err
run 0 -c "$T/inet.conf" check
has out "socket inet:$port@127.0.0.1: ok (accepts connections)"
run 0 -c "$T/name.conf" check
has out "socket inet:$port@localhost: ok"
run 0 check --help
has out "check"
run 2 -c "$T/unix.conf" check now
has err "unexpected argument 'now'"
# --db wins over the file's database, as for every command
run 1 -c "$T/unix.conf" --db "$T/none.db" check
has out "database $T/none.db: FAIL: No such file or directory"
has out "socket unix:$T/milter.sock: ok"
has err "imipctl: check: 1 of 3 checks failed"
touch "$T/stop-listen"
wait "$listener"

# nobody listening: the socket check fails, the others pass
run 1 -c "$T/unix.conf" check
has out "config $T/unix.conf: ok"
has out "database $DB: ok"
has out "socket unix:$T/milter.sock: FAIL: connect $T/milter.sock: Connection refused"
has err "imipctl: check: 1 of 3 checks failed"
rm -f "$T/milter.sock"
run 1 -c "$T/unix.conf" check
has out "FAIL: connect $T/milter.sock: No such file or directory"
run 1 -c "$T/inet.conf" check
has out "socket inet:$port@127.0.0.1: FAIL: connect 127.0.0.1 port $port: Connection refused"
printf 'socket = inet:@127.0.0.1\ndatabase = %s\n' "$DB" >"$T/noport.conf"
run 1 -c "$T/noport.conf" check
has out "socket inet:@127.0.0.1: FAIL: want PORT@HOST"

# a configuration that does not load: reported, the socket not checked
printf 'socket = unix:%s\nno_such_key = 1\n' "$T/milter.sock" >"$T/bad.conf"
run 1 -c "$T/bad.conf" check
has out "config $T/bad.conf: FAIL: $T/bad.conf:2: unknown key"
has out "socket -: FAIL: not checked: no configuration"
has err "check: 3 of 3 checks failed"
run 1 -c "$T/missing.conf" --db "$DB" check
has out "config $T/missing.conf: FAIL:"
has out "database $DB: ok"

# a database of an older schema, and a damaged one
cp "$DB" "$T/old.db"
python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("PRAGMA user_version = %d" % (int(sys.argv[2]) - 1))
db.commit()' "$T/old.db" "$SCHEMA"
run 1 -c "$T/unix.conf" --db "$T/old.db" check
has out "database $T/old.db: FAIL:"
has out "database schema $((SCHEMA - 1)) is older than this program ($SCHEMA)"
cp "$T/b1.db" "$T/bad.db"
python3 - "$T/bad.db" <<'PY' || failed=1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
root, = db.execute("SELECT rootpage FROM sqlite_master WHERE name ="
                   " 'journal'").fetchone()
size, = db.execute("PRAGMA page_size").fetchone()
db.close()
with open(sys.argv[1], "r+b") as f:
    f.seek((root - 1) * size + 8)
    f.write(b"\xff" * 64)
PY
run 1 -c "$T/unix.conf" --db "$T/bad.db" check
has out "database $T/bad.db: FAIL: integrity check: "

exit $failed
