#!/bin/sh
# test_imipctl.sh IMIPCTL - imipctl(8) end to end on a temporary database.
#
# Checks exit codes (0 ok, 1 failure, 2 usage), where messages go, the
# tables and the JSON (parsed with python3, which also seeds bookings and
# outbox rows the way the filter would store them).
set -u

. "$(dirname "$0")/imipctl_lib.sh"

# help and usage
run 0 --help
has out "usage: imipctl"
has out "calendar add ADDRESS --kind resource|person"
empty err
run 0 --db "$DB" calendar add --help
has out "calendar add ADDRESS"
empty err
run 0 --db "$DB" calendar --help
has out "calendar list"
# every key of the store's table, also those added after the help text
run 0 calendar set --help
for key in name share-freebusy working-hours delivery block-pending \
    accept-if-free answer-refresh store-publish; do
	tr ', \t' '\n\n\n' <"$T/out" | grep -qx -- "$key" || {
		echo "FAIL: calendar set --help lacks the key $key" >&2
		failed=1
	}
done
run 2
has err "imipctl: no command given"
has err "usage: imipctl"
run 2 frobnicate
has err "unknown command 'frobnicate'"
run 2 --bogus init
has err "unknown option --bogus"
run 2 --db
has err "option --db needs an argument"
run 2 --db "$DB" calendar
has err "missing subcommand"

# every command: --help is its usage on stdout (exit 0); an unknown option
# is a message naming the command and its usage on stderr (exit 2)
for c in init backup check "calendar add" "calendar remove" \
    "calendar rename" "calendar set" "calendar list" schedule events \
    freebusy journal "outbox list" "outbox retry" "outbox purge" expand; do
	# shellcheck disable=SC2086
	run 0 --db "$DB" $c --help
	has out "usage: imipctl [--db PATH | -c CONFIG] $c"
	empty err
	# shellcheck disable=SC2086
	run 2 --db "$DB" $c --bogus
	has err "imipctl: $c: unknown option --bogus"
	has err "usage: imipctl [--db PATH | -c CONFIG] $c"
	empty out
done
run 0 --help
for c in backup check "calendar remove" "calendar rename" "outbox retry" \
    "outbox purge"; do
	has out "  $c"
done
has out "Exit status: 0 done, 1 failed, 2 bad command line."

# nothing before init
run 1 --db "$DB" calendar list
has err "imipctl: $DB: no database"
run 0 --db "$DB" init
has out "schema version 11"
run 0 --db "$DB" init

# calendars
run 0 --db "$DB" calendar add "mailto:Room-A@Example.ORG" --kind resource \
    --name "Room A" --tz Europe/Berlin
has out "calendar room-a@example.org added (resource, Europe/Berlin)"
run 0 --db "$DB" calendar add bob@example.org --kind person
run 1 --db "$DB" calendar add "<BOB@example.org>" --kind person
has err "imipctl: calendar bob@example.org exists already"
run 2 --db "$DB" calendar add c@example.org --kind room
has err "--kind is resource or person"
run 2 --db "$DB" calendar add c@example.org
has err "--kind is required"
run 2 --db "$DB" calendar add --kind person
has err "missing ADDRESS"
run 2 --db "$DB" calendar add c@example.org --kind person --tz ../../etc/passwd
has err "invalid time zone name"
run 2 --db "$DB" calendar add c@example.org --kind person --tz Mars/Base
has err "unknown time zone 'Mars/Base'"
run 2 --db "$DB" calendar add "not an address" --kind person
has err "imipctl: calendar add: not an address: not an address"
run 0 --db "$DB" calendar list
has out "room-a@example.org  resource  Room A  Europe/Berlin  yes"
has out "bob@example.org     person    -       UTC            yes"
run 0 --db "$DB" calendar list --json
json
has json '"address": "bob@example.org", "kind": "person", "name": null'
has json '"share_freebusy": true'

# calendar settings
run 0 --db "$DB" calendar set bob@example.org share-freebusy no
has out "calendar bob@example.org: share-freebusy = no"
run 0 --db "$DB" calendar set "mailto:BOB@example.org" tz America/New_York
run 0 --db "$DB" calendar set bob@example.org name "Bob B."
run 0 --db "$DB" calendar list
has out "bob@example.org     person    Bob B.  America/New_York  no"
run 2 --db "$DB" calendar set bob@example.org share-freebusy maybe
has err "share-freebusy: \"maybe\" is not yes or no"
run 2 --db "$DB" calendar set bob@example.org tz ../../etc/passwd
has err "not an IANA time zone"
run 2 --db "$DB" calendar set bob@example.org colour blue
has err "unknown setting colour"
run 2 --db "$DB" calendar set bob@example.org tz
has err "missing ADDRESS KEY VALUE"
run 1 --db "$DB" calendar set nobody@example.org tz UTC
has err "no calendar nobody@example.org"
run 0 --db "$DB" calendar set bob@example.org name ""
run 0 --db "$DB" calendar list --json
json
has json '"name": null, "policy": {'
has json '"share_freebusy": false, "tz": "America/New_York"'

# policy keys
run 0 --db "$DB" calendar set room-a@example.org booking approval
run 0 --db "$DB" calendar set room-a@example.org delegates "PA@example.org, boss@example.org"
run 0 --db "$DB" calendar set room-a@example.org working-hours "mon-fri 08:00-18:00"
run 0 --db "$DB" calendar set room-a@example.org capacity 3
run 0 --db "$DB" calendar set room-a@example.org external yes
run 0 --db "$DB" calendar set room-a@example.org delivery consume
run 0 --db "$DB" calendar list
has out "approval by pa@example.org boss@example.org external capacity=3 hours=mon-fri 08:00-18:00 consume"
run 0 --db "$DB" calendar list --json
json
has json '"booking": "approval", "capacity": 3, "conflict_max_instances"'
has json '"delegates": "pa@example.org boss@example.org", "delivery": "consume", "deny": null, "external": true'
has json '"working_hours": "mon-fri 08:00-18:00"'
has json '"conflict_max_instances": null, "conflict_max_percent": null'
run 2 --db "$DB" calendar set room-a@example.org capacity 0
has err "capacity: \"0\" is not a number from 1 to"
run 2 --db "$DB" calendar set room-a@example.org working-hours "weekdays 9-5"
has err "want DAYS HH:MM-HH:MM"
run 2 --db "$DB" calendar set room-a@example.org delegates "@example.org"
has err "delegates: addresses only"
run 2 --db "$DB" calendar set room-a@example.org booking sometimes
has err "booking: \"sometimes\" is not automatic or approval"
run 0 --db "$DB" calendar set room-a@example.org booking automatic
run 0 --db "$DB" calendar set room-a@example.org conflict-max-percent 20
run 0 --db "$DB" calendar set room-a@example.org publish-freebusy yes
run 0 --db "$DB" calendar list
has out "delegates=pa@example.org boss@example.org external"
has out "conflicts<=20% consume publish-freebusy"
run 0 --db "$DB" calendar list --json
json
has json '"conflict_max_instances": null, "conflict_max_percent": 20'
has json '"publish_freebusy": true, "share_freebusy": true'
run 0 --db "$DB" calendar set room-a@example.org conflict-max-percent default
run 0 --db "$DB" calendar set room-a@example.org publish-freebusy no
run 0 --db "$DB" calendar set room-a@example.org delivery deliver
run 0 --db "$DB" calendar set room-a@example.org capacity 1

# bookings and replies as the filter stores them (UTC epoch seconds)
python3 - "$DB" <<'EOF' || failed=1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO event (id, calendar_id, uid, organizer, summary,"
           " partstat, updated) VALUES (1, 1, 'uid-1@example.org',"
           " 'bob@example.org', ?, 'ACCEPTED', 0)",
           ('Planning "Q3"\x1b[2J',))
# 2024-06-03 08:00Z-09:30Z is 10:00-11:30 in Berlin (CEST)
db.execute("INSERT INTO busy (calendar_id, event_id, start, end)"
           " VALUES (1, 1, 1717401600, 1717407000)")
db.execute("INSERT INTO outbox (created, env_from, env_to, message,"
           " next_attempt) VALUES (1717401600, 'room-a@example.org',"
           " 'bob@example.org', 'x', 1717401600)")
db.execute("INSERT INTO outbox (created, env_from, env_to, message,"
           " next_attempt, attempts, last_error, failed) VALUES"
           " (1717401600, 'room-a@example.org', 'eve@example.org', 'x',"
           " 1717401600, 10, ?, 1717405200)", (b'550 \xff\x01"no"',))
db.commit()
EOF

# schedule, in the calendar's zone
run 0 --db "$DB" schedule room-a@example.org --from 2024-06-03 --to 2024-06-03
has out "2024-06-03 10:00  2024-06-03 11:30  BUSY"
has out 'Planning "Q3"?[2J'
has out "uid-1@example.org"
run 0 --db "$DB" schedule ROOM-A@example.org --from 2024-06-03T11:30 \
    --to 2024-06-04
has out "no bookings"
run 0 --db "$DB" schedule bob@example.org
has out "no bookings"
run 1 --db "$DB" schedule nobody@example.org
has err "imipctl: no calendar nobody@example.org"
run 2 --db "$DB" schedule room-a@example.org --from 2024-02-30
has err "--from: want YYYY-MM-DD"
run 2 --db "$DB" schedule room-a@example.org --from 2024-06-05 --to 2024-06-04
has err "--from must be before --to"

# outbox
run 0 --db "$DB" outbox list
has out "2024-06-03 08:00Z"
has out "bob@example.org"
run 0 --db "$DB" outbox list --all
has out "failed 2024-06-03 09:00Z"
run 0 --db "$DB" outbox list --all --json
json
has json '"failed": "2024-06-03T09:00:00Z"'
has json '"last_error": "550 '
has json '"sent": null'
grep -qF '\ufffd\u0001\"no\"' "$T/out" || {
	echo "FAIL: bad bytes not escaped in JSON" >&2
	failed=1
}
run 2 --db "$DB" outbox list extra
has err "unexpected argument 'extra'"

# more events: one touching uid-1's booking, a series with a moved
# instance held tentatively; and journal rows (times UTC)
python3 - "$DB" <<'EOF' || failed=1
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
ev = "INSERT INTO event (id, calendar_id, uid, recurrence_id, organizer," \
     " summary, sequence, partstat, status, updated) VALUES" \
     " (?, 1, ?, ?, ?, ?, ?, ?, ?, ?)"
db.execute(ev, (20, 'adj@example.org', None, 'carol@example.org',
                'Adjacent secret', 0, 'ACCEPTED', 'CONFIRMED', 1717300000))
db.execute(ev, (21, 'tent@example.org', None, 'dave@example.org',
                'Tentative secret', 1, 'TENTATIVE', 'CONFIRMED', 1717400000))
db.execute(ev, (22, 'tent@example.org', 1717488000, 'dave@example.org',
                'Moved secret', 2, 'TENTATIVE', 'CONFIRMED', 1717500000))
busy = "INSERT INTO busy (calendar_id, event_id, start, end, fbtype)" \
       " VALUES (1, ?, ?, ?, ?)"
# 09:30Z-10:00Z touches uid-1's 08:00Z-09:30Z: one period 08:00Z-10:00Z
db.execute(busy, (20, 1717407000, 1717408800, 'BUSY'))
db.execute(busy, (21, 1717416000, 1717419600, 'BUSY-TENTATIVE'))
db.execute(busy, (22, 1717419600, 1717421400, 'BUSY-TENTATIVE'))
db.execute("UPDATE calendar SET busy_span_max = 5400 WHERE id = 1")
j = "INSERT INTO journal (at, queue_id, calendar, uid, method, sender," \
    " decision, reason, trust) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
db.execute(j, (1717401600, 'Q1AAA', 'room-a@example.org',
               'uid-1@example.org', 'REQUEST', 'bob@example.org',
               'ACCEPTED', 'booked', 'dkim=pass'))
db.execute(j, (1717488000, 'Q2BBB', 'room-a@example.org', 'adj@example.org',
               'REQUEST', 'carol@example.org', 'DECLINED', 'busy', None))
db.execute(j, (1717574400, 'Q3CCC', 'bob@example.org', 'x@example.org',
               'CANCEL', 'eve@example.org', 'IGNORED', 'not an attendee',
               None))
db.commit()
EOF

# events, most recently updated first, times in the calendar's zone
run 0 --db "$DB" events room-a@example.org
line 1 "uid"
line 1 "recurrence-id"
line 2 "tent@example.org   2024-06-04 10:00  dave@example.org"
line 2 "Moved secret"
line 3 "tent@example.org   -                 dave@example.org"
line 4 "adj@example.org"
line 5 "uid-1@example.org"
has out 'Planning "Q3"?[2J'
has out "TENTATIVE  CONFIRMED  2024-06-04 13:20"
run 0 --db "$DB" events "mailto:ROOM-A@example.org" --json
json
has json '"recurrence_id": "2024-06-04T08:00:00Z", "sequence": 2, "status": "CONFIRMED", "summary": "Moved secret", "uid": "tent@example.org", "updated": "2024-06-04T11:20:00Z"'
has json '"organizer": "carol@example.org", "partstat": "ACCEPTED", "recurrence_id": null'
has json '"updated": null'
run 0 --db "$DB" events bob@example.org
has out "no events"
run 0 --db "$DB" events bob@example.org --json
json
has out "[]"
run 0 --db "$DB" events --help
has out "events ADDRESS [--json]"
empty err
run 2 --db "$DB" events
has err "imipctl: events: missing ADDRESS"
run 2 --db "$DB" events room-a@example.org --bogus
has err "unknown option --bogus"
run 2 --db "$DB" events room-a@example.org bob@example.org
has err "unexpected argument 'bob@example.org'"
run 1 --db "$DB" events nobody@example.org
has err "imipctl: no calendar nobody@example.org"

# freebusy: merged, clipped, times only
run 0 --db "$DB" freebusy room-a@example.org --from 2024-06-03 --to 2024-06-03
has out "2024-06-03 10:00  2024-06-03 12:00  BUSY"
has out "2024-06-03 14:00  2024-06-03 15:30  BUSY-TENTATIVE"
lacks out "11:30"
lacks out "Planning"
lacks out "uid-1@example.org"
run 0 --db "$DB" freebusy room-a@example.org --from 2024-06-03T11:00 \
    --to 2024-06-03T14:30 --ics
has out "BEGIN:VCALENDAR"
has out "METHOD:PUBLISH"
has out "BEGIN:VFREEBUSY"
has out "DTSTART:20240603T090000Z"
has out "DTEND:20240603T123000Z"
has out "ORGANIZER:mailto:room-a@example.org"
has out "FREEBUSY;FBTYPE=BUSY:20240603T090000Z/20240603T100000Z"
has out "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20240603T120000Z/20240603T123000Z"
has out "END:VCALENDAR"
for leak in SUMMARY Planning secret uid-1@example.org adj@example.org \
    tent@example.org bob@example.org carol@example.org; do
	lacks out "$leak"
done
[ "$(grep -c '^FREEBUSY' "$T/out")" -eq 2 ] || {
	echo "FAIL: freebusy --ics: want 2 FREEBUSY lines" >&2
	failed=1
}
run 0 --db "$DB" freebusy bob@example.org --from 2024-06-03 --to 2024-06-04
has out "no busy periods"
run 0 --db "$DB" freebusy --help
has out "freebusy ADDRESS --from TIME --to TIME [--json | --ics]"
has out "freebusy ADDRESS --ifb [--days N]"
empty err
run 2 --db "$DB" freebusy --from 2024-06-03 --to 2024-06-04
has err "imipctl: freebusy: missing ADDRESS"
run 2 --db "$DB" freebusy room-a@example.org --from 2024-06-03
has err "--from and --to are required"
run 2 --db "$DB" freebusy room-a@example.org --from 2024-02-30 \
    --to 2024-06-03
has err "--from: want YYYY-MM-DD"
run 2 --db "$DB" freebusy room-a@example.org --from 2024-06-05 \
    --to 2024-06-04
has err "--from must be before --to"
run 0 --db "$DB" freebusy room-a@example.org --from 2024-06-03 \
    --to 2024-06-04 --json
json
has json '{"end": "2024-06-03T10:00:00Z", "fbtype": "BUSY", "start": "2024-06-03T08:00:00Z"}'
has json '{"end": "2024-06-03T13:30:00Z", "fbtype": "BUSY-TENTATIVE", "start": "2024-06-03T12:00:00Z"}'
lacks json "Planning"
lacks json "uid-1@example.org"
run 2 --db "$DB" freebusy room-a@example.org --from 2024-06-03 \
    --to 2024-06-04 --json --ics
has err "--json, --ics and --ifb exclude each other"
run 1 --db "$DB" freebusy nobody@example.org --from 2024-06-03 \
    --to 2024-06-04
has err "imipctl: no calendar nobody@example.org"

# freebusy --ifb has the window of the published file (its contents are
# tested in test_imipctl_admin.sh, relative to the clock)
run 2 --db "$DB" freebusy room-a@example.org --ifb --from 2024-06-03
has err "--ifb has the window of the published file; --ics takes --from and --to"
run 2 --db "$DB" freebusy room-a@example.org --from 2024-06-03 \
    --to 2024-06-04 --days 3
has err "--days goes with --ifb only"
run 2 --db "$DB" freebusy room-a@example.org --ifb --days 4000
has err "--days: want a whole number from 1 to 3660, not '4000'"
run 2 --db "$DB" freebusy room-a@example.org --ifb --ics
has err "--json, --ics and --ifb exclude each other"

# schedule --ics: one VEVENT per busy period, in UTC, an instance with its
# RECURRENCE-ID; text made safe (no control characters) by libical's rules
run 0 --db "$DB" schedule room-a@example.org --from 2024-06-03 \
    --to 2024-06-03 --ics
has out "BEGIN:VCALENDAR"
has out "METHOD:PUBLISH"
has out "END:VCALENDAR"
has out "UID:uid-1@example.org"
has out "DTSTART:20240603T080000Z"
has out "DTEND:20240603T093000Z"
has out 'SUMMARY:Planning "Q3"?[2J'
has out "ORGANIZER:mailto:bob@example.org"
has out "RECURRENCE-ID:20240604T080000Z"
has out "STATUS:TENTATIVE"
has out "STATUS:CONFIRMED"
lacks out "$(printf '\033')"
[ "$(grep -c '^BEGIN:VEVENT' "$T/out")" -eq 4 ] || {
	echo "FAIL: schedule --ics: want 4 VEVENTs" >&2
	failed=1
}
[ "$(grep -c '^RECURRENCE-ID' "$T/out")" -eq 1 ] || {
	echo "FAIL: schedule --ics: want 1 RECURRENCE-ID" >&2
	failed=1
}
grep -q "$(printf '\r')\$" "$T/out" || {
	echo "FAIL: schedule --ics: lines do not end in CRLF" >&2
	failed=1
}
run 0 --db "$DB" schedule room-a@example.org --from 2024-06-03 \
    --to 2024-06-03 --json
json
has json '"end": "2024-06-03T09:30:00Z", "fbtype": "BUSY", "organizer": "bob@example.org", "recurrence_id": null, "start": "2024-06-03T08:00:00Z", "summary": "Planning \"Q3\"\u001b[2J", "uid": "uid-1@example.org"'
has json '"recurrence_id": "2024-06-04T08:00:00Z", "start": "2024-06-03T13:00:00Z", "summary": "Moved secret"'
lacks out "room-a@example.org (Europe/Berlin)"
run 0 --db "$DB" schedule bob@example.org --json
json
has out "[]"
run 0 --db "$DB" schedule bob@example.org --ics
has out "BEGIN:VCALENDAR"
lacks out "BEGIN:VEVENT"
run 2 --db "$DB" schedule room-a@example.org --ics --json
has err "--json and --ics exclude each other"
run 0 --db "$DB" schedule --help
has out "schedule ADDRESS [--from TIME] [--to TIME] [--json | --ics]"

# journal, newest first, with each filter
run 0 --db "$DB" journal
line 1 "at                 queue-id"
line 2 "2024-06-05 08:00Z  Q3CCC"
line 3 "2024-06-04 08:00Z  Q2BBB"
line 4 "2024-06-03 08:00Z  Q1AAA"
has out "ACCEPTED  dkim=pass  booked"
run 0 --db "$DB" journal "ROOM-A@example.org"
has out "Q1AAA"
has out "Q2BBB"
lacks out "Q3CCC"
run 0 --db "$DB" journal --uid adj@example.org
has out "Q2BBB"
lacks out "Q1AAA"
lacks out "Q3CCC"
run 0 --db "$DB" journal --from 2024-06-04
lacks out "Q1AAA"
has out "Q2BBB"
has out "Q3CCC"
run 0 --db "$DB" journal --to 2024-06-04
has out "Q1AAA"
has out "Q2BBB"
lacks out "Q3CCC"
run 0 --db "$DB" journal --from 2024-06-04T08:00 --to 2024-06-05T08:00
lacks out "Q1AAA"
has out "Q2BBB"
lacks out "Q3CCC"
run 0 --db "$DB" journal --limit 1
has out "Q3CCC"
lacks out "Q2BBB"
run 0 --db "$DB" journal room-a@example.org --uid nope@example.org
has out "no journal entries"
run 0 --db "$DB" journal --json
json
has json '"at": "2024-06-03T08:00:00Z", "calendar": "room-a@example.org", "decision": "ACCEPTED", "method": "REQUEST", "queue_id": "Q1AAA", "reason": "booked", "sender": "bob@example.org", "trust": "dkim=pass", "uid": "uid-1@example.org"'
has json '"queue_id": "Q2BBB", "reason": "busy", "sender": "carol@example.org", "trust": null'
run 0 --db "$DB" journal room-a@example.org --limit 1 --json
json
has json '"queue_id": "Q2BBB"'
lacks json "Q1AAA"
run 0 --db "$DB" journal --uid nope@example.org --json
json
has out "[]"
run 0 --db "$DB" journal --help
has out "journal [ADDRESS] [--uid UID] [--from TIME] [--to TIME] [--limit N] [--json]"
empty err
run 2 --db "$DB" journal --limit 0
has err "--limit: want a whole number from 1 to 1000000, not '0'"
run 2 --db "$DB" journal --limit x
has err "not 'x'"
run 2 --db "$DB" journal --limit -3
has err "not '-3'"
run 2 --db "$DB" journal --from 2024-13-01
has err "--from: want YYYY-MM-DD"
run 2 --db "$DB" journal --to 2024-06-04T25:00
has err "--to: want YYYY-MM-DD"
run 2 --db "$DB" journal --from 2024-06-05 --to 2024-06-04
has err "--from must be before --to"
run 2 --db "$DB" journal --uid
has err "option --uid needs an argument"
run 2 --db "$DB" journal --bogus
has err "unknown option --bogus"
run 2 --db "$DB" journal room-a@example.org bob@example.org
has err "unexpected argument 'bob@example.org'"
# any address: the rows of calendars removed or renamed stay readable
run 0 --db "$DB" journal nobody@example.org
has out "no journal entries"
run 2 --db "$DB" journal "not an address"
has err "imipctl: journal: not an address"
run 1 --db "$T/none.db" journal
has err "$T/none.db: no database"

# -c CONFIG, and --db winning over it
printf 'database = %s\ndb_busy_timeout_ms = 100\n' "$DB" >"$T/ok.conf"
printf 'no_such_key = 1\n' >"$T/bad.conf"
run 0 -c "$T/ok.conf" calendar list
has out "room-a@example.org"
run 1 -c "$T/ok.conf" --db "$T/other.db" calendar list
has err "$T/other.db: no database"
run 1 -c "$T/bad.conf" calendar list
has err "bad.conf:1:"

# expand: usage
run 2 --db "$DB" expand --days 0
has err "imipctl: expand: --days: want a whole number from 1 to 3660, not '0'"
has err "usage: imipctl [--db PATH | -c CONFIG] expand [--days N] [--dry-run]"
run 2 --db "$DB" expand --days x
has err "--days: want a whole number from 1 to 3660, not 'x'"
run 2 --db "$DB" expand --days 3661
has err "not '3661'"
run 2 --db "$DB" expand --days ' 7'
run 2 --db "$DB" expand --days
has err "option --days needs an argument"
run 2 --db "$DB" expand soon
has err "imipctl: expand: unexpected argument 'soon'"
run 0 --db "$DB" expand --help
has out "expand [--days N] [--dry-run]"
empty err
run 1 --db "$T/none.db" expand
has err "$T/none.db: no database"
run 0 --db "$DB" expand
has out "nothing to extend"
empty err

# expand: a weekly series without an end, booked until a week ago (the
# instance of 10:00 Berlin 7 days ago is its first one not yet booked), and
# the instance in three weeks taken by another booking
python3 - "$DB" >"$T/series" <<'EOF' || failed=1
import datetime, sqlite3, sys, time, zoneinfo
berlin = zoneinfo.ZoneInfo("Europe/Berlin")
def at10(day):
    t = datetime.datetime.combine(day, datetime.time(10), berlin)
    return int(t.timestamp())
now = int(time.time())
first = datetime.date.today() - datetime.timedelta(days=56)
inst = [at10(first + datetime.timedelta(days=7 * k)) for k in range(14)]
day = first.strftime("%Y%m%d")
ical = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
        "PRODID:-//imip-milter//tests//EN\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VEVENT\r\nUID:series@example.com\r\n"
        "DTSTAMP:20240101T120000Z\r\nSEQUENCE:0\r\n"
        "DTSTART;TZID=Europe/Berlin:%sT100000\r\n"
        "DTEND;TZID=Europe/Berlin:%sT110000\r\n"
        "RRULE:FREQ=WEEKLY\r\nSUMMARY:Weekly\r\n"
        "ORGANIZER:mailto:alice@example.com\r\n"
        "ATTENDEE;RSVP=TRUE:mailto:room-a@example.org\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n") % (day, day)
db = sqlite3.connect(sys.argv[1])
db.execute("INSERT INTO event (id, calendar_id, uid, organizer, summary,"
           " sequence, dtstamp, partstat, status, ical, updated,"
           " expanded_until) VALUES (10, 1, 'series@example.com',"
           " 'alice@example.com', 'Weekly', 0, 1704110400, 'ACCEPTED',"
           " 'CONFIRMED', ?, ?, ?)", (ical, now - 56 * 86400, inst[7]))
db.execute("INSERT INTO event (id, calendar_id, uid, organizer, partstat,"
           " updated) VALUES (11, 1, 'other@example.org',"
           " 'bob@example.org', 'ACCEPTED', 0)")
db.execute("INSERT INTO busy (calendar_id, event_id, start, end) VALUES"
           " (1, 11, ?, ?)", (inst[10], inst[10] + 3600))
# as the store does: bounds the overlap scan
db.execute("UPDATE calendar SET busy_span_max = max(busy_span_max, 3600)"
           " WHERE id = 1")
db.commit()
print(now, " ".join(str(t) for t in inst))
EOF

# dump - the rows expand may change, to compare before and after
dump() {
	python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("event", "busy", "journal", "outbox"):
    for r in db.execute("SELECT * FROM %s ORDER BY id" % t):
        print(t, r)' "$DB" >"$T/$1" || failed=1
}

# a dry run reports and changes nothing
dump before
run 0 --db "$DB" expand --days 30 --dry-run
has out "room-a@example.org series@example.com EXTENDED 2.11 booked 5 more instances, 1 declined"
has out "1 series extended (dry run: nothing changed)"
empty err
dump after
cmp -s "$T/before" "$T/after" || {
	echo "FAIL: expand --dry-run changed the database" >&2
	diff "$T/before" "$T/after" | sed 's/^/	/' >&2
	failed=1
}

# the real run: instances 7 to 12 but the 10th, a REPLY declining that one
run 0 --db "$DB" expand --days 30
has out "room-a@example.org series@example.com EXTENDED 2.11 booked 5 more instances, 1 declined"
has out "1 series extended"
empty err
python3 - "$DB" "$T/series" <<'EOF' || failed=1
import sqlite3, sys
now, *inst = [int(v) for v in open(sys.argv[2]).read().split()]
db = sqlite3.connect(sys.argv[1])
got = [r[0] for r in db.execute("SELECT start FROM busy WHERE event_id = 10"
                                " ORDER BY start")]
want = [inst[k] for k in (7, 8, 9, 11, 12)]
assert got == want, "busy: got %s, want %s" % (got, want)
until, = db.execute("SELECT expanded_until FROM event WHERE id = 10").fetchone()
assert abs(until - (now + 30 * 86400)) < 300, "expanded_until: got %d, want" \
    " about %d" % (until, now + 30 * 86400)
rows = db.execute("SELECT queue_id, decision FROM journal WHERE"
                  " uid = 'series@example.com'").fetchall()
assert rows == [("expand", "EXTENDED")], "journal: got %s" % rows
n, = db.execute("SELECT count(*) FROM outbox WHERE env_to ="
                " 'alice@example.com' AND message LIKE '%RECURRENCE-ID%'"
                " AND message LIKE '%DECLINED%'").fetchone()
assert n == 1, "outbox: got %d declining replies, want 1" % n
EOF
run 0 --db "$DB" schedule room-a@example.org
has out "Weekly"
has out "series@example.com"

# booked up to the new horizon: nothing more to do for 30 days
run 0 --db "$DB" expand --days 30
has out "nothing to extend"
run 0 --db "$DB" expand --days 30 --dry-run
has out "nothing to extend"

# the horizon and max_instances of -c CONFIG (dry runs)
printf 'database = %s\nrecurrence_horizon_days = 60\n' "$DB" >"$T/h.conf"
run 0 -c "$T/h.conf" expand --dry-run
has out "series@example.com EXTENDED 2.11 booked 4 more instances, 0 declined"
printf 'database = %s\nmax_instances = 2\n' "$DB" >"$T/m.conf"
dump before
run 0 -c "$T/m.conf" expand --days 90 --dry-run
has err "imipctl: warning: expand: room-a@example.org: stored series not extended: more than 2 instances"
has out "0 series extended, 1 not extended (dry run: nothing changed)"
dump after
cmp -s "$T/before" "$T/after" || {
	echo "FAIL: expand --dry-run changed the database" >&2
	failed=1
}

# every list command's --json is valid JSON for python3 -m json.tool,
# with the control characters and bad bytes seeded above
for c in "calendar list" "events room-a@example.org" \
    "schedule room-a@example.org --from 2024-06-01 --to 2024-07-01" \
    "freebusy room-a@example.org --from 2024-06-01 --to 2024-07-01" \
    journal "outbox list --all"; do
	# shellcheck disable=SC2086
	run 0 --db "$DB" $c --json
	python3 -m json.tool "$T/out" >/dev/null || {
		echo "FAIL: imipctl $c --json: not JSON" >&2
		failed=1
	}
done

exit $failed
