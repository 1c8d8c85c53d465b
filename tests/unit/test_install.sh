#!/bin/sh
#
# test_install.sh - what "meson install" puts where, and that it is sound.
#
# usage: test_install.sh BUILD_DIR
#
# Installs the build into a temporary DESTDIR, then checks: the programs,
# man pages, schema, examples and systemd units are there; the man pages
# render without a single warning (man --warnings); the units pass
# systemd-analyze verify (pointed at the installed programs); the example
# configuration passes imip-milter -n.
set -u

build=${1:?usage: test_install.sh BUILD_DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/imip-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

if ! meson install -C "$build" --destdir "$tmp/root" --no-rebuild \
    --quiet >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log" >&2
	echo "FAIL: meson install" >&2
	exit 1
fi
prefix=$(meson introspect "$build" --buildoptions |
    python3 -c 'import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"][0])')
root=$tmp/root$prefix

for f in sbin/imip-milter sbin/imipctl share/man/man8/imip-milter.8 \
    share/man/man5/imip-milter.conf.5 share/man/man8/imipctl.8 \
    lib/systemd/system/imip-milter.service \
    lib/systemd/system/imipctl-expand.service \
    lib/systemd/system/imipctl-expand.timer \
    share/doc/imip-milter/examples/imip-milter.conf.example \
    share/doc/imip-milter/examples/cron.d/imip-milter \
    share/doc/imip-milter/examples/postfix/main.cf.example \
    share/doc/imip-milter/examples/postfix/master.cf.example \
    share/doc/imip-milter/examples/freebusy/nginx.conf \
    share/doc/imip-milter/examples/freebusy/apache.conf; do
	[ -f "$root/$f" ] || fail "not installed: $prefix/$f"
done
for x in sbin/imip-milter sbin/imipctl; do
	[ -x "$root/$x" ] || fail "not executable: $prefix/$x"
done

# Every migration the binaries carry, for admins who read them.
src=$(cd "$(dirname "$0")/../.." && pwd)
want=$(ls "$src/schema" | grep -c '\.sql$')
got=$(ls "$root/share/imip-milter/schema" 2>/dev/null | grep -c '\.sql$')
[ "$want" = "$got" ] || fail "schema: $got migrations installed, want $want"

# Man pages: not one warning from groff (man --warnings).
for m in "$root"/share/man/man*/*; do
	out=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
	[ -z "$out" ] || fail "man --warnings $(basename "$m"): $out"
done

# systemd units, with the programs where this test installed them.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$tmp/units"
	for u in "$root"/lib/systemd/system/*; do
		sed "s|$prefix/sbin/|$root/sbin/|g" "$u" \
		    >"$tmp/units/$(basename "$u")"
	done
	if ! out=$(systemd-analyze verify --man=no "$tmp"/units/* 2>&1) ||
	    [ -n "$out" ]; then
		fail "systemd-analyze verify: $out"
	fi
else
	echo "test_install.sh: no systemd-analyze, units not verified" >&2
fi

# The example configuration is a valid one.
if ! out=$("$root/sbin/imip-milter" -n -c \
    "$root/share/doc/imip-milter/examples/imip-milter.conf.example" 2>&1); then
	fail "imip-milter -n on the example configuration: $out"
fi

[ $failures -eq 0 ] || exit 1
echo "install: everything in place under $prefix, man pages and units clean"
