#!/usr/bin/env python3
"""
make_fixtures.py - write the client-shaped .eml fixtures of this folder.

Every message here is synthetic: its shape (MIME structure, headers,
PRODID, time-zone habits, property quirks) follows what is publicly known
about the client named in the file name; names, addresses, UIDs and ids are
made up.  The .eml files are committed, so the tests need no Python; run
this after editing a fixture here and commit both.

    python3 tests/data/clients/make_fixtures.py

Encoded parts (base64, quoted-printable) are built from readable iCalendar
text below, so a fixture is reviewed here, not in its encoded form.  Each
fixture states the line ends of the file (what the MTA hands the filter)
and, separately, of the iCalendar text inside an encoded part.

Scenario order and expected outcomes live in expected.tsv.
"""
import base64
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CRLF, LF = "\r\n", "\n"

ORG = "alice@example.com"
ROOM = "room-a@example.org"


# --- iCalendar text ---------------------------------------------------------

def fold(line, split_utf8=False):
    """RFC 5545 3.1: lines of at most 75 octets.  split_utf8 cuts at the
    octet, even inside a UTF-8 sequence, as some generators do."""
    b = line.encode("utf-8")
    segs, limit = [], 75
    while len(b) > limit:
        cut = limit
        if not split_utf8:
            while cut > 0 and (b[cut] & 0xC0) == 0x80:
                cut -= 1
        segs.append(b[:cut])
        b = b[cut:]
        limit = 74			# the leading blank counts
    segs.append(b)
    return segs


def ical(lines, eol=CRLF, split_utf8=False, charset="utf-8"):
    """Bytes of the iCalendar object in lines (str), folded, eol-ended."""
    out = []
    for line in lines:
        segs = fold(line, split_utf8)
        if charset != "utf-8":
            segs = [s.decode("utf-8").encode(charset) for s in segs]
        out.append((eol + " ").encode("ascii").join(segs))
    return eol.encode("ascii").join(out) + eol.encode("ascii")


def has_split_sequence(data):
    """Does a fold (CRLF or LF, then a blank) split a UTF-8 sequence?"""
    for fold_ in (b"\r\n ", b"\n "):
        i = data.find(fold_)
        while i >= 0:
            j = i + len(fold_)
            if i > 0 and data[i - 1] >= 0xC0 and j < len(data) and \
                    (data[j] & 0xC0) == 0x80:
                return True
            i = data.find(fold_, j)
    return False


# --- transfer encodings -----------------------------------------------------

def b64(data):
    s = base64.b64encode(data).decode("ascii")
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))


def qp(data):
    """Quoted-printable of data (bytes); its line ends become hard breaks
    (written as "\\n", turned into the file's line end later)."""
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    out = []
    for line in lines:
        enc = []
        for i, c in enumerate(line):
            last = i == len(line) - 1
            if (33 <= c <= 126 and c != 61) or (c == 32 and not last):
                enc.append(chr(c))
            else:
                enc.append("=%02X" % c)
        cur = ""
        for tok in enc:
            if len(cur) + len(tok) > 75:
                out.append(cur + "=")
                cur = ""
            cur += tok
        out.append(cur)
    return "\n".join(out)


def rfc2047(text):
    """An encoded-word Subject, as Outlook writes non-ASCII ones."""
    return "=?utf-8?B?%s?=" % base64.b64encode(
        text.encode("utf-8")).decode("ascii")


# --- time zones as the clients write them -----------------------------------

def vtz_outlook(tzid, std_from, std_to, std_rule, dst_rule, dst_hour="02",
                std_hour="03"):
    return [
        "BEGIN:VTIMEZONE", "TZID:" + tzid,
        "BEGIN:STANDARD", "DTSTART:16010101T%s0000" % std_hour,
        "TZOFFSETFROM:" + std_from, "TZOFFSETTO:" + std_to,
        "RRULE:FREQ=YEARLY;INTERVAL=1;" + std_rule, "END:STANDARD",
        "BEGIN:DAYLIGHT", "DTSTART:16010101T%s0000" % dst_hour,
        "TZOFFSETFROM:" + std_to, "TZOFFSETTO:" + std_from,
        "RRULE:FREQ=YEARLY;INTERVAL=1;" + dst_rule, "END:DAYLIGHT",
        "END:VTIMEZONE",
    ]


VTZ_W_EUROPE = vtz_outlook("W. Europe Standard Time", "+0200", "+0100",
                           "BYDAY=-1SU;BYMONTH=10", "BYDAY=-1SU;BYMONTH=3")
VTZ_PACIFIC = vtz_outlook("Pacific Standard Time", "-0700", "-0800",
                          "BYDAY=1SU;BYMONTH=11", "BYDAY=2SU;BYMONTH=3",
                          std_hour="02")
# Outlook writes this name when the organizer's zone has no Windows id;
# only its VTIMEZONE says what it is (here: US Eastern rules).
VTZ_CUSTOM = vtz_outlook("Customized Time Zone", "-0400", "-0500",
                         "BYDAY=1SU;BYMONTH=11", "BYDAY=2SU;BYMONTH=3",
                         std_hour="02")


def vtz_berlin(tzid="Europe/Berlin", extra=(), std="19701025T030000",
               dst="19700329T020000", names=True):
    return ["BEGIN:VTIMEZONE", "TZID:" + tzid] + list(extra) + [
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200"] + \
        (["TZNAME:CEST"] if names else []) + [
        "DTSTART:" + dst, "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100"] + \
        (["TZNAME:CET"] if names else []) + [
        "DTSTART:" + std, "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD", "END:VTIMEZONE"]


# Lotus/HCL Notes: its own zone names, BYHOUR/BYMINUTE in the rules.
VTZ_NOTES = [
    "BEGIN:VTIMEZONE", "TZID:Central Europe",
    "BEGIN:STANDARD", "DTSTART:19701025T030000",
    "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "RRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=3;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:19700329T020000",
    "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "RRULE:FREQ=YEARLY;BYMINUTE=0;BYHOUR=2;BYDAY=-1SU;BYMONTH=3",
    "END:DAYLIGHT", "END:VTIMEZONE",
]

# Zimbra before it switched to IANA ids: a display name for a TZID.
ZIMBRA_LEGACY_TZID = "(GMT+01.00) Amsterdam / Berlin / Bern / Rome / " \
    "Stockholm / Vienna"
VTZ_ZIMBRA_LEGACY = [
    "BEGIN:VTIMEZONE", "TZID:" + ZIMBRA_LEGACY_TZID,
    "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETTO:+0100",
    "TZOFFSETFROM:+0200",
    "RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=10;BYDAY=-1SU",
    "TZNAME:CET", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETTO:+0200",
    "TZOFFSETFROM:+0100",
    "RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=3;BYDAY=-1SU",
    "TZNAME:CEST", "END:DAYLIGHT", "END:VTIMEZONE",
]
VTZ_ZIMBRA = [
    "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
    "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETTO:+0100",
    "TZOFFSETFROM:+0200",
    "RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=10;BYDAY=-1SU",
    "TZNAME:CET", "END:STANDARD",
    "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETTO:+0200",
    "TZOFFSETFROM:+0100",
    "RRULE:FREQ=YEARLY;WKST=MO;INTERVAL=1;BYMONTH=3;BYDAY=-1SU",
    "TZNAME:CEST", "END:DAYLIGHT", "END:VTIMEZONE",
]

MOZ_OLD_TZID = "/mozilla.org/20070129_1/Europe/Berlin"
EVO_OLD_TZID = "/softwarestudio.org/Olson_20011030_5/Europe/Berlin"
EVO_NEW_TZID = "/citadel.org/20210210_1/Europe/Berlin"
FREEASSOC_TZID = "/freeassociation.sourceforge.net/Tzfile/Europe/Berlin"


# --- small helpers for messages ---------------------------------------------

def cal(method, body, prodid, vtz=(), extra_top=()):
    top = ["BEGIN:VCALENDAR", "PRODID:" + prodid, "VERSION:2.0"]
    if method is not None:
        top.append("METHOD:" + method)
    return top + list(extra_top) + list(vtz) + list(body) + ["END:VCALENDAR"]


FIXTURES = []


def fixture(name, eol):
    def reg(fn):
        FIXTURES.append((name, eol, fn))
        return fn
    return reg


def received(day, hour, qid):
    return ("Received: from mail.example.com (mail.example.com "
            "[198.51.100.7])\n"
            "\tby mx.example.org (Postfix) with ESMTPS id %s\n"
            "\tfor <room-a@example.org>; %s %s +0000 (UTC)\n" %
            (qid, day, hour))


# --- Outlook / Exchange -----------------------------------------------------

OUTLOOK_UID_1 = ("040000008200E00074C5B7101A82E00800000000B0D2C9E4F16ADB01"
                 "000000000000000010000000A1C3E5F70B2D4F6981A3C5E7092B4D6F")
OUTLOOK_UID_2 = ("040000008200E00074C5B7101A82E00800000000C41E7A2B336BDB01"
                 "000000000000000010000000B7D9F1032C4E6A8093B5D7F91A3C5E7F")
OUTLOOK_UID_4 = ("040000008200E00074C5B7101A82E0080000000050E4B1C2A56BDB01"
                 "000000000000000010000000C2E4061A3D5F7B91A4C6E8022B4D6F81")
OUTLOOK_UID_8 = ("040000008200E00074C5B7101A82E00800000000E87F3C5D906CDB01"
                 "000000000000000010000000D3F5172B4E6081A2B5D7F9133C5E7092")

# Long enough that the 75-octet fold falls inside the "ä" (C3 A4).
OUTLOOK_1_SUMMARY = ("Quartalsplanung Q2/2027: Vertrieb Nord mit "
                     "Kundenpr\u00e4sentation")


def outlook_event(uid, seq, dtstamp, start, end, tzid, summary, extra=(),
                  attendees=None, status="CONFIRMED", method="REQUEST",
                  busy="TENTATIVE", intended="BUSY"):
    if attendees is None:
        attendees = [
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;"
            "CN=Bob Builder:mailto:bob@example.com",
            # Outlook's "Resources" field: a non-participant with RSVP.
            "ATTENDEE;CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT;"
            "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=Room A:mailto:" + ROOM,
        ]
    return ["BEGIN:VEVENT",
            "ORGANIZER;CN=Alice Example:mailto:" + ORG] + attendees + [
        "DESCRIPTION;LANGUAGE=de-DE:Hallo zusammen\\,\\n\\ndie Agenda folgt."
        "\\n\\nViele Gr\u00fc\u00dfe\\nAlice\\n",
        "UID:" + uid,
        "SUMMARY;LANGUAGE=de-DE:" + summary,
        "DTSTART;TZID=%s:%s" % (tzid, start),
        "DTEND;TZID=%s:%s" % (tzid, end),
        "CLASS:PUBLIC", "PRIORITY:5" if method != "CANCEL" else "PRIORITY:1",
        "DTSTAMP:" + dtstamp, "TRANSP:OPAQUE", "STATUS:" + status,
        "SEQUENCE:%d" % seq,
        "LOCATION;LANGUAGE=de-DE:Room A",
        "X-MICROSOFT-CDO-APPT-SEQUENCE:%d" % seq,
        "X-MICROSOFT-CDO-OWNERAPPTID:2121876543",
        "X-MICROSOFT-CDO-BUSYSTATUS:" + busy,
        "X-MICROSOFT-CDO-INTENDEDSTATUS:" + intended,
        "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
        "X-MICROSOFT-CDO-IMPORTANCE:%d" % (2 if method == "CANCEL" else 1),
        "X-MICROSOFT-CDO-INSTTYPE:0",
        "X-MICROSOFT-DONOTFORWARDMEETING:FALSE",
        "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
        "X-MICROSOFT-REQUESTEDATTENDANCEMODE:DEFAULT",
        "X-MICROSOFT-ISRESPONSEREQUESTED:TRUE",
        "X-MICROSOFT-LOCATIONS:[ { \"DisplayName\" : \"Room A\"\\, "
        "\"LocationAnnotation\" : \"\"\\, \"LocationSource\" : 3\\, "
        "\"LocationUri\" : \"room-a@example.org\"\\, "
        "\"LocationStreet\" : \"\" } ]",
    ] + list(extra) + (["BEGIN:VALARM", "DESCRIPTION:REMINDER",
                        "TRIGGER;RELATED=START:-PT15M", "ACTION:DISPLAY",
                        "END:VALARM"] if method == "REQUEST" else []) + [
        "END:VEVENT"]


OUTLOOK_OLK = ["X-MS-OLK-AUTOFILLLOCATION:FALSE", "X-MS-OLK-CONFTYPE:0"]


def outlook_mail(subject, msgid, thread_index, day, date, cal_bytes, method,
                 attach_ics=True, rcpt_hdr="Room A <room-a@example.org>",
                 frm="Alice Example <alice@example.com>", html_words=None):
    """Exchange Online shape: multipart/mixed holding the alternative
    (text/plain, text/html, base64 text/calendar) and the .ics again."""
    words = html_words or "Hallo zusammen, die Agenda folgt."
    b1 = "_000_" + msgid.split("@")[0] + "_"
    alt = ("--{b}\n"
           "Content-Type: text/plain; charset=\"utf-8\"\n"
           "Content-Transfer-Encoding: base64\n\n"
           "{plain}\n\n"
           "--{b}\n"
           "Content-Type: text/html; charset=\"utf-8\"\n"
           "Content-Transfer-Encoding: base64\n\n"
           "{html}\n\n"
           "--{b}\n"
           "Content-Type: text/calendar; charset=\"utf-8\"; method={m}\n"
           "Content-Transfer-Encoding: base64\n\n"
           "{cal}\n\n"
           "--{b}--\n").format(
        b=b1, m=method,
        plain=b64((words + "\r\n").encode("utf-8")),
        html=b64(("<html><head><meta http-equiv=\"Content-Type\" content="
                  "\"text/html; charset=utf-8\"></head><body><div>" + words +
                  "</div></body></html>\r\n").encode("utf-8")),
        cal=b64(cal_bytes))
    head = ("From: {frm}\nTo: {to}\nSubject: {s}\nThread-Topic: {s}\n"
            "Thread-Index: {ti}\nDate: {date}\nMessage-ID: <{mid}>\n"
            "Accept-Language: de-DE, en-US\nContent-Language: de-DE\n"
            "X-MS-Exchange-Organization-AuthAs: Anonymous\n"
            "X-MS-Has-Attach: {att}\nX-MS-TNEF-Correlator:\n").format(
        frm=frm, to=rcpt_hdr, s=subject, ti=thread_index, date=date,
        mid=msgid, att="yes" if attach_ics else "")
    if not attach_ics:
        return (received(day, "09:14:02", "4Zq1x0aBcd") + head +
                "Content-Type: multipart/alternative;\n"
                "\tboundary=\"%s\"\nMIME-Version: 1.0\n\n" % b1 + alt)
    b0 = "_004_" + msgid.split("@")[0] + "_"
    return (received(day, "09:14:02", "4Zq1x0aBcd") + head +
            "Content-Type: multipart/mixed;\n\tboundary=\"%s\"\n"
            "MIME-Version: 1.0\n\n"
            "--%s\nContent-Type: multipart/alternative;\n"
            "\tboundary=\"%s\"\n\n%s\n"
            "--%s\n"
            "Content-Type: application/ics; name=\"invite.ics\"\n"
            "Content-Description: invite.ics\n"
            "Content-Disposition: attachment; filename=\"invite.ics\"; "
            "size=%d;\n\tcreation-date=\"%s\";\n"
            "\tmodification-date=\"%s\"\n"
            "Content-Transfer-Encoding: base64\n\n%s\n\n--%s--\n" %
            (b0, b0, b1, alt, b0, len(cal_bytes), date, date, b64(cal_bytes),
             b0))


def outlook_cal(method, events, vtz=VTZ_W_EUROPE, split_utf8=False):
    data = ical(cal(method, events, "Microsoft Exchange Server 2010", vtz),
                CRLF, split_utf8)
    return data


@fixture("outlook-01-request.eml", CRLF)
def outlook_01():
    c = outlook_cal("REQUEST", outlook_event(
        OUTLOOK_UID_1, 0, "20270215T081400Z", "20270412T100000",
        "20270412T110000", "W. Europe Standard Time", OUTLOOK_1_SUMMARY,
        OUTLOOK_OLK + ["X-MS-OLK-SENDER:mailto:" + ORG,
                       "X-MS-OLK-APPTSEQTIME:20270215T081400Z"]),
        split_utf8=True)
    assert has_split_sequence(c), "the fold must split the UTF-8 sequence"
    return outlook_mail(rfc2047(OUTLOOK_1_SUMMARY),
                        "AM9PR07MB71230F1E2A3B4C5D6E7F8091A2B3@"
                        "AM9PR07MB7123.eurprd07.prod.outlook.com",
                        "AdtfB1Cx9Kq3R2sTuV0wXyZaBcDeFg==",
                        "Mon, 15 Feb 2027", "Mon, 15 Feb 2027 09:14:00 +0100",
                        c, "REQUEST")


@fixture("outlook-02-pacific-time.eml", CRLF)
def outlook_02():
    c = outlook_cal("REQUEST", outlook_event(
        OUTLOOK_UID_2, 0, "20270216T171000Z", "20270413T090000",
        "20270413T100000", "Pacific Standard Time",
        "Design review with the Seattle team", OUTLOOK_OLK), VTZ_PACIFIC)
    return outlook_mail("Design review with the Seattle team",
                        "BY5PR11MB40217A6C3D2E1F0A9B8C7D6E5F40@"
                        "BY5PR11MB4021.namprd11.prod.outlook.com",
                        "AdtgC2Dy0Lr4S3tUvW1xYzAbCdEfGh==",
                        "Tue, 16 Feb 2027", "Tue, 16 Feb 2027 09:10:00 -0800",
                        c, "REQUEST", attach_ics=False,
                        html_words="Let us walk through the new design.")


@fixture("outlook-03-cancel.eml", CRLF)
def outlook_03():
    c = outlook_cal("CANCEL", outlook_event(
        OUTLOOK_UID_2, 1, "20270220T160500Z", "20270413T090000",
        "20270413T100000", "Pacific Standard Time",
        "Canceled: Design review with the Seattle team", OUTLOOK_OLK,
        status="CANCELLED", method="CANCEL", busy="FREE",
        intended="FREE"), VTZ_PACIFIC)
    return outlook_mail("Canceled: Design review with the Seattle team",
                        "BY5PR11MB4021AA01BB02CC03DD04EE05FF06@"
                        "BY5PR11MB4021.namprd11.prod.outlook.com",
                        "AdtgC2Dy0Lr4S3tUvW1xYzAbCdEfGh4AAAAB",
                        "Sat, 20 Feb 2027", "Sat, 20 Feb 2027 08:05:00 -0800",
                        c, "CANCEL", attach_ics=False,
                        html_words="The design review is cancelled.")


@fixture("outlook-04-weekly-no-end.eml", CRLF)
def outlook_04():
    ev = outlook_event(
        OUTLOOK_UID_4, 0, "20270217T101500Z", "20270414T080000",
        "20270414T083000", "W. Europe Standard Time", "Team stand-up",
        OUTLOOK_OLK)
    # "No end date" in Outlook: a rule without COUNT or UNTIL.
    ev.insert(ev.index("CLASS:PUBLIC"),
              "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;WKST=MO")
    ev[ev.index("X-MICROSOFT-CDO-INSTTYPE:0")] = "X-MICROSOFT-CDO-INSTTYPE:1"
    return outlook_mail("Team stand-up",
                        "AM9PR07MB712355AA66BB77CC88DD99EE00FF@"
                        "AM9PR07MB7123.eurprd07.prod.outlook.com",
                        "AdthD3Ez1Ms5T4uVwX2yZaBcDeFgHi==",
                        "Wed, 17 Feb 2027", "Wed, 17 Feb 2027 11:15:00 +0100",
                        outlook_cal("REQUEST", ev), "REQUEST",
                        html_words="Every Wednesday, no end date.")


@fixture("outlook-05-update.eml", CRLF)
def outlook_05():
    # Moved by half an hour: overlaps its own earlier version only.
    c = outlook_cal("REQUEST", outlook_event(
        OUTLOOK_UID_1, 1, "20270218T133000Z", "20270412T103000",
        "20270412T113000", "W. Europe Standard Time", OUTLOOK_1_SUMMARY,
        OUTLOOK_OLK + ["X-MS-OLK-SENDER:mailto:" + ORG,
                       "X-MS-OLK-APPTSEQTIME:20270218T133000Z"]),
        split_utf8=True)
    assert has_split_sequence(c)
    return outlook_mail("Updated: Quartalsplanung Vertrieb Nord",
                        "AM9PR07MB7123A1B2C3D4E5F60718293A4B5C@"
                        "AM9PR07MB7123.eurprd07.prod.outlook.com",
                        "AdtfB1Cx9Kq3R2sTuV0wXyZaBcDeFgAAAAAC",
                        "Thu, 18 Feb 2027", "Thu, 18 Feb 2027 14:30:00 +0100",
                        c, "REQUEST")


@fixture("outlook-06-stale-resend.eml", CRLF)
def outlook_06():
    # The first version again, delivered late by another path.
    c = outlook_cal("REQUEST", outlook_event(
        OUTLOOK_UID_1, 0, "20270215T081400Z", "20270412T100000",
        "20270412T110000", "W. Europe Standard Time", OUTLOOK_1_SUMMARY,
        OUTLOOK_OLK + ["X-MS-OLK-SENDER:mailto:" + ORG,
                       "X-MS-OLK-APPTSEQTIME:20270215T081400Z"]),
        split_utf8=True)
    return outlook_mail("Quartalsplanung Vertrieb Nord",
                        "AM9PR07MB7123FEDCBA98765432100123ABCD@"
                        "AM9PR07MB7123.eurprd07.prod.outlook.com",
                        "AdtfB1Cx9Kq3R2sTuV0wXyZaBcDeFg==",
                        "Mon, 15 Feb 2027", "Mon, 15 Feb 2027 09:14:00 +0100",
                        c, "REQUEST", attach_ics=False)


@fixture("outlook-07-reply-without-organizer.eml", CRLF)
def outlook_07():
    ev = ["BEGIN:VEVENT",
          "ATTENDEE;PARTSTAT=ACCEPTED;CN=Bob Builder:mailto:bob@example.com",
          "COMMENT;LANGUAGE=en-US:See you there.\\n",
          "SUMMARY;LANGUAGE=en-US:Accepted: Quartalsplanung Vertrieb Nord",
          "DTSTART;TZID=W. Europe Standard Time:20270412T103000",
          "DTEND;TZID=W. Europe Standard Time:20270412T113000",
          "UID:" + OUTLOOK_UID_1, "CLASS:PUBLIC", "PRIORITY:5",
          "DTSTAMP:20270219T070200Z", "TRANSP:OPAQUE", "STATUS:CONFIRMED",
          "SEQUENCE:1", "LOCATION;LANGUAGE=en-US:Room A",
          "X-MICROSOFT-CDO-APPT-SEQUENCE:1",
          "X-MICROSOFT-CDO-OWNERAPPTID:-1218764123",
          "X-MICROSOFT-CDO-REPLYTIME:20270219T070200Z",
          "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
          "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
          "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
          "X-MICROSOFT-CDO-IMPORTANCE:1", "X-MICROSOFT-CDO-INSTTYPE:0",
          "X-MICROSOFT-DONOTFORWARDMEETING:FALSE",
          "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
          "END:VEVENT"]
    c = ical(cal("REPLY", ev, "Microsoft Exchange Server 2010",
                 VTZ_W_EUROPE), CRLF)
    return outlook_mail("Accepted: Quartalsplanung Vertrieb Nord",
                        "DB7PR02MB5522C0FFEE0011223344556677AB@"
                        "DB7PR02MB5522.eurprd02.prod.outlook.com",
                        "AQHbf1Cx9Kq3R2sTuV0wXyZaBcDeFgAB",
                        "Fri, 19 Feb 2027", "Fri, 19 Feb 2027 08:02:00 +0100",
                        c, "REPLY", attach_ics=False,
                        rcpt_hdr="Alice Example <alice@example.com>,\n"
                        "\tRoom A <room-a@example.org>",
                        frm="Bob Builder <bob@example.com>",
                        html_words="See you there.")


@fixture("outlook-08-customized-time-zone.eml", CRLF)
def outlook_08():
    c = outlook_cal("REQUEST", outlook_event(
        OUTLOOK_UID_8, 0, "20270222T150000Z", "20270415T100000",
        "20270415T110000", "Customized Time Zone",
        "Sync with the New York office", OUTLOOK_OLK), VTZ_CUSTOM)
    return outlook_mail("Sync with the New York office",
                        "CH2PR12MB39873E4D5C6B7A8190A1B2C3D4E5@"
                        "CH2PR12MB3987.namprd12.prod.outlook.com",
                        "AdtiE4Fa2Nt6U5vWxY3zAbCdEfGhIj==",
                        "Mon, 22 Feb 2027", "Mon, 22 Feb 2027 10:00:00 -0500",
                        c, "REQUEST",
                        html_words="Quick sync with New York.")


# --- Google Calendar --------------------------------------------------------

GOOGLE_PRODID = "-//Google Inc//Google Calendar 70.9054//EN"
GOOGLE_SEP = ("-::~:~::~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:~:"
              "~:~:~:~:~:~:~:~:~:~:~:~:~:~::~:~::-")


def google_event(uid, start, end, summary, seq=0, dtstamp="20270301T000000Z",
                 status="CONFIRMED", extra=(), rid=None, tzid=None,
                 desc="Agenda in the doc."):
    if tzid is None:
        times = ["DTSTART:" + start, "DTEND:" + end]
    else:
        times = ["DTSTART;TZID=%s:%s" % (tzid, start),
                 "DTEND;TZID=%s:%s" % (tzid, end)]
    return ["BEGIN:VEVENT"] + times + list(extra) + [
        "DTSTAMP:" + dtstamp,
        "ORGANIZER;CN=Alice Example:mailto:" + ORG,
        "UID:" + uid] + (["RECURRENCE-ID:" + rid] if rid else []) + [
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;"
        "RSVP=TRUE;CN=Alice Example;X-NUM-GUESTS=0:mailto:" + ORG,
        "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;"
        "PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=room-a@example.org;"
        "X-NUM-GUESTS=0:mailto:" + ROOM,
        "X-MICROSOFT-CDO-OWNERAPPTID:-1893417250",
        "CREATED:20270210T101500Z",
        "DESCRIPTION:%s\\n\\n%s\\nJoin with Google Meet: "
        "https://meet.example.net/abc-defg-hij\\n\\nLearn more about Meet at: "
        "https://support.example.net/meet\\n\\nPlease do not edit this "
        "section.\\n%s" % (desc, GOOGLE_SEP, GOOGLE_SEP),
        "LAST-MODIFIED:" + dtstamp,
        "LOCATION:Room A",
        "SEQUENCE:%d" % seq, "STATUS:" + status,
        "SUMMARY:" + summary, "TRANSP:OPAQUE",
        "X-GOOGLE-CONFERENCE:https://meet.example.net/abc-defg-hij",
    ] + (["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:This is an event "
          "reminder", "TRIGGER:-P0DT0H10M0S", "END:VALARM"]
         if status != "CANCELLED" else []) + ["END:VEVENT"]


def google_mail(subject, frm, reply_to, msgid, date, day, cal_text, method,
                dup=True, sender_hdr=True):
    """Google's shape: text/plain, text/html and a 7bit text/calendar in an
    alternative, and the same object again as base64 application/ics."""
    b_mixed = "000000000000a1b2c3062f1e7d40"
    b_alt = "000000000000a1b2c1062f1e7d3e"
    alt = ("--{b}\nContent-Type: text/plain; charset=\"UTF-8\"; "
           "format=flowed; delsp=yes\nContent-Transfer-Encoding: base64\n\n"
           "{p}\n--{b}\nContent-Type: text/html; charset=\"UTF-8\"\n"
           "Content-Transfer-Encoding: quoted-printable\n\n{h}\n"
           "--{b}\nContent-Type: text/calendar; charset=\"UTF-8\"; "
           "method={m}\nContent-Transfer-Encoding: 7bit\n\n{c}"
           "--{b}--\n").format(
        b=b_alt, m=method,
        p=b64(b"You have been invited to the following event.\r\n"),
        h=qp(b'<span itemscope itemtype="http://schema.org/InformAction">'
             b'<span style="display:none" itemprop="about">You have been '
             b'invited</span></span>\n'),
        c=cal_text.decode("utf-8").replace("\r\n", "\n"))
    head = (received(day, "10:03:12", "4ZgA1b2C3d") +
            "MIME-Version: 1.0\n"
            "Reply-To: %s\n"
            "%s"
            "Auto-Submitted: auto-generated\n"
            "Message-ID: <%s>\n"
            "Date: %s\n"
            "Subject: %s\n"
            "From: %s\n"
            "To: room-a@example.org\n" % (
                reply_to,
                "Sender: Google Calendar <calendar-notification@google.com>\n"
                if sender_hdr else "", msgid, date, subject, frm))
    if not dup:
        return head + ("Content-Type: multipart/alternative; "
                       "boundary=\"%s\"\n\n" % b_alt) + alt
    return head + (
        "Content-Type: multipart/mixed; boundary=\"%s\"\n\n"
        "--%s\nContent-Type: multipart/alternative; boundary=\"%s\"\n\n%s\n"
        "--%s\nContent-Type: application/ics; name=\"invite.ics\"\n"
        "Content-Disposition: attachment; filename=\"invite.ics\"\n"
        "Content-Transfer-Encoding: base64\n\n%s\n--%s--\n" % (
            b_mixed, b_mixed, b_alt, alt, b_mixed, b64(cal_text), b_mixed))


GOOGLE_UID_1 = "5k2q9c1m3v7b0n8x4z6p2r1t0w@google.com"
GOOGLE_UID_2 = "7h4j2k9l1m3n5b8v0c6x2z4q1e@google.com"
GOOGLE_UID_3 = "1a3s5d7f9g2h4j6k8l0q2w4e6r@google.com"


@fixture("google-01-relay-sender.eml", CRLF)
def google_01():
    c = ical(cal("REQUEST", google_event(
        GOOGLE_UID_1, "20270416T090000Z", "20270416T100000Z",
        "Budget check-in", dtstamp="20270223T100300Z"), GOOGLE_PRODID,
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return google_mail(
        "Invitation: Budget check-in @ Fri Apr 16, 2027 11am - 12pm (CEST) "
        "(room-a@example.org)",
        "\"Alice Example (Google Calendar)\" "
        "<calendar-notification@google.com>",
        "alice@example.com", "calendar-3f0c9a2e-6b1d-4e7a-9c58-1a2b3c4d5e6f"
        "@google.com", "Tue, 23 Feb 2027 10:03:11 +0000", "Tue, 23 Feb 2027",
        c, "REQUEST", sender_hdr=False)


@fixture("google-02-conflict-pacific.eml", CRLF)
def google_02():
    # 16:30Z: inside outlook-02 (09:00 PDT = 16:00Z), unless the Windows
    # name was misread.
    c = ical(cal("REQUEST", google_event(
        GOOGLE_UID_2, "20270413T163000Z", "20270413T173000Z",
        "Vendor call", dtstamp="20270224T090000Z"), GOOGLE_PRODID,
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return google_mail(
        "Invitation: Vendor call @ Tue Apr 13, 2027 6:30pm - 7:30pm (CEST) "
        "(room-a@example.org)", "Alice Example <alice@example.com>",
        "alice@example.com", "calendar-5a6b7c8d-1e2f-4a3b-8c9d-0e1f2a3b4c5d"
        "@google.com", "Wed, 24 Feb 2027 09:00:05 +0000", "Wed, 24 Feb 2027",
        c, "REQUEST")


@fixture("google-03-weekly-series.eml", CRLF)
def google_03():
    ev = google_event(GOOGLE_UID_3, "20270419T090000", "20270419T093000",
                      "Weekly sync", dtstamp="20270225T080000Z",
                      tzid="Europe/Berlin",
                      extra=["RRULE:FREQ=WEEKLY;WKST=MO;COUNT=6;BYDAY=MO"])
    c = ical(cal("REQUEST", ev, GOOGLE_PRODID, vtz_berlin(
        extra=["X-LIC-LOCATION:Europe/Berlin"]),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return google_mail(
        "Invitation: Weekly sync @ Weekly from 9am to 9:30am on Monday from "
        "Mon Apr 19 to Mon May 24, 2027 (CEST) (room-a@example.org)",
        "Alice Example <alice@example.com>", "alice@example.com",
        "calendar-0f1e2d3c-4b5a-4968-8776-655443322110@google.com",
        "Thu, 25 Feb 2027 08:00:04 +0000", "Thu, 25 Feb 2027", c, "REQUEST")


@fixture("google-04-cancel-instance-utc.eml", CRLF)
def google_04():
    # The series is defined in Europe/Berlin; Google names the instance
    # by its UTC start (09:00 CEST on 3 May = 07:00Z).
    ev = google_event(GOOGLE_UID_3, "20270503T090000", "20270503T093000",
                      "Weekly sync", seq=1, dtstamp="20270226T120000Z",
                      status="CANCELLED", tzid="Europe/Berlin",
                      rid="20270503T070000Z")
    c = ical(cal("CANCEL", ev, GOOGLE_PRODID, vtz_berlin(
        extra=["X-LIC-LOCATION:Europe/Berlin"]),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return google_mail(
        "Canceled event: Weekly sync @ Mon May 3, 2027 9am - 9:30am (CEST) "
        "(room-a@example.org)", "Alice Example <alice@example.com>",
        "alice@example.com",
        "calendar-99aa88bb-77cc-4d66-9e55-ff4400332211@google.com",
        "Fri, 26 Feb 2027 12:00:03 +0000", "Fri, 26 Feb 2027", c, "CANCEL")


@fixture("google-05-same-sequence-newer-dtstamp.eml", CRLF)
def google_05():
    # Google changes the description without raising SEQUENCE: only the
    # DTSTAMP says this is newer.
    c = ical(cal("REQUEST", google_event(
        GOOGLE_UID_1, "20270416T090000Z", "20270416T100000Z",
        "Budget check-in", dtstamp="20270227T141500Z",
        desc="Agenda in the doc; please bring the Q1 numbers."),
        GOOGLE_PRODID, extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return google_mail(
        "Updated invitation: Budget check-in @ Fri Apr 16, 2027 11am - 12pm "
        "(CEST) (room-a@example.org)", "Alice Example <alice@example.com>",
        "alice@example.com",
        "calendar-1b2c3d4e-5f60-4718-92a3-b4c5d6e7f809@google.com",
        "Sat, 27 Feb 2027 14:15:02 +0000", "Sat, 27 Feb 2027", c, "REQUEST")


# --- Thunderbird (Lightning) ------------------------------------------------

MOZ_PRODID = "-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN"
TB_UID_1 = "b9d4e6f2-3a1c-4e8b-9f07-5c2d1e4a6b83"
TB_UID_2 = "0e7c5a3f-9d2b-4b61-8a4e-2f1c3d5e7a90"


def moz_event(uid, start, end, tzid, summary, seq=0, extra=(),
              dtstamp="20270301T000000Z", status=None, rid=None):
    return ["BEGIN:VEVENT", "CREATED:20270210T090000Z",
            "LAST-MODIFIED:" + dtstamp, "DTSTAMP:" + dtstamp,
            "UID:" + uid, "SUMMARY:" + summary] + \
        (["STATUS:" + status] if status else []) + [
        "ORGANIZER;RSVP=TRUE;CN=Alice Example;PARTSTAT=ACCEPTED;ROLE=CHAIR:"
        "mailto:" + ORG,
        "ATTENDEE;RSVP=TRUE;CN=Alice Example;PARTSTAT=ACCEPTED;ROLE=CHAIR:"
        "mailto:" + ORG,
        "ATTENDEE;RSVP=TRUE;CN=Room A;PARTSTAT=NEEDS-ACTION;CUTYPE=ROOM;"
        "ROLE=REQ-PARTICIPANT:mailto:" + ROOM] + \
        (["RECURRENCE-ID;TZID=%s:%s" % (tzid, rid)] if rid else []) + \
        list(extra) + [
        "DTSTART;TZID=%s:%s" % (tzid, start),
        "DTEND;TZID=%s:%s" % (tzid, end),
        "TRANSP:OPAQUE", "X-MOZ-SEND-INVITATIONS:TRUE",
        "X-MOZ-SEND-INVITATIONS-UNDISCLOSED:FALSE",
        "SEQUENCE:%d" % seq, "X-MOZ-GENERATION:%d" % (seq + 1),
        "END:VEVENT"]


def moz_mail(subject, msgid, date, day, cal_bytes, method, ua, cte="8bit",
             summary_text="Details in the attached invitation."):
    """Thunderbird: alternative (text/plain + text/calendar) inside a mixed
    that attaches the same object as application/ics."""
    if cte == "8bit":
        inline = cal_bytes.decode("utf-8").replace("\r\n", "\n")
    else:
        inline = qp(cal_bytes) + "\n"
    return (received(day, "16:22:40", "4ZtB8c9D0e") +
            "Message-ID: <%s>\nDate: %s\nMIME-Version: 1.0\n"
            "User-Agent: %s\nContent-Language: en-US\n"
            "From: Alice Example <alice@example.com>\n"
            "To: Room A <room-a@example.org>\nSubject: %s\n"
            "Content-Type: multipart/mixed;\n"
            " boundary=\"------------mixed0A1B2C3D4E5F6A7B8C9D0E1F\"\n\n"
            "This is a multi-part message in MIME format.\n"
            "--------------mixed0A1B2C3D4E5F6A7B8C9D0E1F\n"
            "Content-Type: multipart/alternative;\n"
            " boundary=\"------------alt1F0E9D8C7B6A5F4E3D2C1B0A\"\n\n"
            "--------------alt1F0E9D8C7B6A5F4E3D2C1B0A\n"
            "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
            "Content-Transfer-Encoding: 7bit\n\n%s\n\n"
            "--------------alt1F0E9D8C7B6A5F4E3D2C1B0A\n"
            "Content-Type: text/calendar; method=%s; charset=UTF-8\n"
            "Content-Transfer-Encoding: %s\n\n%s\n"
            "--------------alt1F0E9D8C7B6A5F4E3D2C1B0A--\n"
            "--------------mixed0A1B2C3D4E5F6A7B8C9D0E1F\n"
            "Content-Type: application/ics; name=\"invite.ics\"\n"
            "Content-Disposition: attachment; filename=\"invite.ics\"\n"
            "Content-Transfer-Encoding: base64\n\n%s\n\n"
            "--------------mixed0A1B2C3D4E5F6A7B8C9D0E1F--\n" %
            (msgid, date, ua, subject, summary_text, method, cte, inline,
             b64(cal_bytes)))


TB_UA_NEW = ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
             "Thunderbird/128.4.0")
TB_UA_OLD = ("Mozilla/5.0 (Windows; U; Windows NT 6.1; de; rv:1.9.2.28) "
             "Gecko/20120306 Lightning/1.0b2 Thunderbird/3.1.20")


def vtz_moz_new():
    return vtz_berlin(extra=["X-TZINFO:Europe/Berlin[2024a]"])


def vtz_moz_old():
    return vtz_berlin(MOZ_OLD_TZID, extra=["X-LIC-LOCATION:Europe/Berlin"])


@fixture("thunderbird-01-request.eml", LF)
def thunderbird_01():
    c = ical(cal("REQUEST", moz_event(
        TB_UID_1, "20270420T140000", "20270420T150000", "Europe/Berlin",
        "Architekturrunde \u00dcbersicht", dtstamp="20270219T152200Z"),
        MOZ_PRODID, vtz_moz_new()), CRLF)
    return moz_mail("Invitation: Architekturrunde \u00dcbersicht @ "
                    "Tue 20 Apr 2027 14:00 - 15:00 (CEST)"
                    .encode("ascii", "replace").decode().replace("?", "Ue"),
                    "a4c1e7b2-5d3f-4a90-8b16-c2e9f0d7a315@example.com",
                    "Fri, 19 Feb 2027 16:22:37 +0100", "Fri, 19 Feb 2027",
                    c, "REQUEST", TB_UA_NEW)


@fixture("thunderbird-02-series-mozilla-tzid.eml", LF)
def thunderbird_02():
    ev = moz_event(TB_UID_2, "20270506T170000", "20270506T180000",
                   MOZ_OLD_TZID, "Release planning", extra=[
                       "RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=TH"],
                   dtstamp="20270220T101000Z")
    c = ical(cal("REQUEST", ev, MOZ_PRODID, vtz_moz_old()), CRLF)
    return moz_mail("Invitation: Release planning", "4B2D9E01.7060508@"
                    "example.com", "Sat, 20 Feb 2027 11:10:00 +0100",
                    "Sat, 20 Feb 2027", c, "REQUEST", TB_UA_OLD,
                    cte="quoted-printable")


@fixture("thunderbird-03-override-only.eml", LF)
def thunderbird_03():
    # Only the 20 May occurrence, moved by an hour: no master component.
    ev = moz_event(TB_UID_2, "20270520T180000", "20270520T190000",
                   MOZ_OLD_TZID, "Release planning (moved)", seq=1,
                   rid="20270520T170000", dtstamp="20270221T091500Z")
    c = ical(cal("REQUEST", ev, MOZ_PRODID, vtz_moz_old()), CRLF)
    return moz_mail("Invitation: Release planning (moved)",
                    "4B2E0F12.8070609@example.com",
                    "Sun, 21 Feb 2027 10:15:00 +0100", "Sun, 21 Feb 2027",
                    c, "REQUEST", TB_UA_OLD, cte="quoted-printable")


@fixture("thunderbird-04-cancel.eml", LF)
def thunderbird_04():
    c = ical(cal("CANCEL", moz_event(
        TB_UID_1, "20270420T140000", "20270420T150000", "Europe/Berlin",
        "Architekturrunde \u00dcbersicht", seq=1, status="CANCELLED",
        dtstamp="20270222T080000Z"), MOZ_PRODID, vtz_moz_new()), CRLF)
    return moz_mail("Event Canceled: Architekturrunde Uebersicht",
                    "d7e2a9c4-1b6f-4e35-a0d8-93f5b2c1e647@example.com",
                    "Mon, 22 Feb 2027 09:00:00 +0100", "Mon, 22 Feb 2027",
                    c, "CANCEL", TB_UA_NEW,
                    summary_text="This event has been canceled.")


@fixture("thunderbird-05-forwarded-invitation.eml", LF)
def thunderbird_05():
    # Carol forwards, as an attachment, an invitation she received; the
    # room gets it but must never act on it.
    inner_cal = outlook_cal("REQUEST", outlook_event(
        "040000008200E00074C5B7101A82E00800000000F1A2B3C4D56CDB010000000000"
        "00000010000000E4061A3D5F7B91A4C6E8022B4D6F8193", 0,
        "20270224T070000Z", "20270507T100000", "20270507T110000",
        "W. Europe Standard Time", "Lieferantengespr\u00e4ch", OUTLOOK_OLK))
    inner = outlook_mail("Lieferantengespraech",
                         "AM9PR07MB71239988776655443322110000AB@"
                         "AM9PR07MB7123.eurprd07.prod.outlook.com",
                         "AdtjF5Gb3Ou7V6wXyZ4aBcDeFgHiJk==",
                         "Wed, 24 Feb 2027", "Wed, 24 Feb 2027 08:00:00 +0100",
                         inner_cal, "REQUEST", attach_ics=False,
                         rcpt_hdr="Carol Client <carol@example.net>")
    inner = inner.split("\n", 3)[3]		# without the outer Received
    return (received("Thu, 25 Feb 2027", "12:01:30", "4ZuC0d1E2f") +
            "Message-ID: <0c9d8e7f-6a5b-4c3d-2e1f-0a9b8c7d6e5f@example.net>\n"
            "Date: Thu, 25 Feb 2027 13:01:28 +0100\nMIME-Version: 1.0\n"
            "User-Agent: " + TB_UA_NEW + "\n"
            "From: Carol Client <carol@example.net>\n"
            "To: Room A <room-a@example.org>\n"
            "Subject: Fwd: Lieferantengespraech\n"
            "Content-Type: multipart/mixed;\n"
            " boundary=\"------------fwd5E6F7A8B9C0D1E2F3A4B5C6D\"\n\n"
            "This is a multi-part message in MIME format.\n"
            "--------------fwd5E6F7A8B9C0D1E2F3A4B5C6D\n"
            "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
            "Content-Transfer-Encoding: 7bit\n\n"
            "Is the room free for this one?\n\n"
            "--------------fwd5E6F7A8B9C0D1E2F3A4B5C6D\n"
            "Content-Type: message/rfc822; name=\"Lieferantengespraech.eml\"\n"
            "Content-Disposition: attachment; "
            "filename=\"Lieferantengespraech.eml\"\n\n" + inner +
            "\n--------------fwd5E6F7A8B9C0D1E2F3A4B5C6D--\n")


# --- Apple Calendar (macOS, iOS) --------------------------------------------

APPLE_UID_1 = "6F9A2C1E-4B3D-4E8F-9A7B-1C2D3E4F5A6B"
APPLE_UID_2 = "A1B2C3D4-E5F6-4789-8ABC-DEF012345678"
APPLE_UID_4 = "3C5E7A9B-1D2F-4A6C-8E0B-2D4F6A8C0E1F"
APPLE_UID_5 = "9E8D7C6B-5A49-4382-A170-F6E5D4C3B2A1"


def vtz_apple():
    return vtz_berlin(std="19961027T030000", dst="19810329T020000")


def apple_event(uid, start, end, summary, seq=0, dtstamp="20270301T000000Z",
                status=None, allday=False, prodid_ios=False):
    if allday:
        times = ["DTSTART;VALUE=DATE:" + start, "DTEND;VALUE=DATE:" + end]
    else:
        times = ["DTSTART;TZID=Europe/Berlin:" + start,
                 "DTEND;TZID=Europe/Berlin:" + end]
    return ["BEGIN:VEVENT", "TRANSP:OPAQUE",
            times[1],
            "ATTENDEE;CN=Room A;CUTYPE=ROOM;EMAIL=room-a@example.org;"
            "PARTSTAT=NEEDS-ACTION;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:" +
            ROOM,
            "ATTENDEE;CN=Alice Example;CUTYPE=INDIVIDUAL;EMAIL=" + ORG +
            ";PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:" + ORG,
            "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC",
            "UID:" + uid, "DTSTAMP:" + dtstamp,
            "LOCATION:Room A\\nHauptstra\u00dfe 1\\n10115 Berlin",
            "X-APPLE-STRUCTURED-LOCATION;VALUE=URI;"
            "X-ADDRESS=Hauptstra\u00dfe 1"
            "\\\\n10115 Berlin;X-APPLE-RADIUS=70.58;X-TITLE=Room A:"
            "geo:52.530000,13.380000",
            "SEQUENCE:%d" % seq] + (["STATUS:" + status] if status else []) + [
            "SUMMARY:" + summary, "LAST-MODIFIED:" + dtstamp,
            "CREATED:20270211T120000Z", times[0],
            "X-APPLE-CREATOR-IDENTITY:com.apple.mobilecal" if prodid_ios
            else "X-APPLE-CREATOR-IDENTITY:com.apple.calendar",
            "X-APPLE-CREATOR-TEAM-IDENTITY:0000000000",
            "ORGANIZER;CN=Alice Example;EMAIL=%s:mailto:%s" % (ORG, ORG),
            "END:VEVENT"]


def apple_mail(subject, msgid, date, day, cal_bytes, ctype_method, mailer,
               alt=False):
    """macOS/iOS Mail: the object quoted-printable, the method parameter in
    whatever case the client writes it."""
    calpart = ("Content-Type: text/calendar; charset=utf-8; method=%s;\n"
               "\tname=invite.ics\nContent-Transfer-Encoding: "
               "quoted-printable\n" % ctype_method)
    bnd = "Apple-Mail=_5C2F0E4A-7B1D-4E9A-B3C8-2D6F1A0E9B47"
    text = ("--{b}\nContent-Transfer-Encoding: 7bit\n"
            "Content-Type: text/plain;\n\tcharset=us-ascii\n\n"
            "{s}\n\n").format(b=bnd, s=subject)
    if alt:
        text += ("--{b}\nContent-Transfer-Encoding: 7bit\n"
                 "Content-Type: text/html;\n\tcharset=us-ascii\n\n"
                 "<html><body>{s}</body></html>\n\n").format(b=bnd, s=subject)
        calpart += "\n"
    else:
        calpart += ("Content-Disposition: attachment;\n"
                    "\tfilename=invite.ics\n\n")
    return (received(day, "07:45:10", "4ZvD1e2F3g") +
            "From: Alice Example <alice@example.com>\n"
            "Content-Type: multipart/%s;\n\tboundary=\"%s\"\n"
            "Mime-Version: 1.0 (%s)\nSubject: %s\nDate: %s\n"
            "Message-Id: <%s>\nTo: Room A <room-a@example.org>\n"
            "X-Mailer: %s\n\n%s--%s\n%s%s\n--%s--\n" %
            ("alternative" if alt else "mixed", bnd, mailer, subject, date,
             msgid, mailer, text, bnd, calpart, qp(cal_bytes), bnd))


MACOS_PRODID = "-//Apple Inc.//macOS 14.4//EN"
IOS_PRODID = "-//Apple Inc.//iPhone OS 17.4//EN"


@fixture("apple-01-request-quoted-printable.eml", LF)
def apple_01():
    c = ical(cal("REQUEST", apple_event(
        APPLE_UID_1, "20270421T130000", "20270421T140000",
        "Workshop Stra\u00dfenplanung", dtstamp="20270222T064500Z"),
        MACOS_PRODID, vtz_apple(), extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return apple_mail("Invitation: Workshop Strassenplanung",
                      "E5B1C9A2-7D4F-4C3E-9A8B-0F1E2D3C4B5A@example.com",
                      "Mon, 22 Feb 2027 07:45:08 +0100", "Mon, 22 Feb 2027",
                      c, "request", "Apple Mail (2.3774.500.171.1.1)")


@fixture("apple-02-ios-method-mixed-case.eml", LF)
def apple_02():
    c = ical(cal("REQUEST", apple_event(
        APPLE_UID_2, "20270422T150000", "20270422T154500",
        "Kurzes Abstimmungsgespr\u00e4ch", dtstamp="20270223T071100Z",
        prodid_ios=True), IOS_PRODID, vtz_apple(),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return apple_mail("Invitation: Kurzes Abstimmungsgespraech",
                      "8C7B6A59-4837-4261-9F0E-D1C2B3A49586@example.com",
                      "Tue, 23 Feb 2027 07:11:02 +0100", "Tue, 23 Feb 2027",
                      c, "Request", "iPhone Mail (21E236)", alt=True)


@fixture("apple-03-cancel.eml", LF)
def apple_03():
    c = ical(cal("CANCEL", apple_event(
        APPLE_UID_1, "20270421T130000", "20270421T140000",
        "Workshop Stra\u00dfenplanung", seq=1, status="CANCELLED",
        dtstamp="20270224T090000Z"), MACOS_PRODID, vtz_apple(),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return apple_mail("Cancelled: Workshop Strassenplanung",
                      "0A1B2C3D-4E5F-4061-8273-94A5B6C7D8E9@example.com",
                      "Wed, 24 Feb 2027 10:00:00 +0100", "Wed, 24 Feb 2027",
                      c, "cancel", "Apple Mail (2.3774.500.171.1.1)")


@fixture("apple-04-all-day.eml", LF)
def apple_04():
    c = ical(cal("REQUEST", apple_event(
        APPLE_UID_4, "20270521", "20270522", "Team day",
        dtstamp="20270224T113000Z", allday=True, prodid_ios=True),
        IOS_PRODID, (), extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return apple_mail("Invitation: Team day",
                      "1F2E3D4C-5B6A-4798-8A9B-0C1D2E3F4A5B@example.com",
                      "Wed, 24 Feb 2027 12:30:00 +0100", "Wed, 24 Feb 2027",
                      c, "REQUEST", "iPhone Mail (21E236)", alt=True)


@fixture("apple-05-cancel-before-request.eml", LF)
def apple_05():
    c = ical(cal("CANCEL", apple_event(
        APPLE_UID_5, "20270610T100000", "20270610T110000",
        "Interview", seq=1, status="CANCELLED",
        dtstamp="20270225T100000Z"), MACOS_PRODID, vtz_apple(),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return apple_mail("Cancelled: Interview",
                      "7D6C5B4A-3928-4170-8E6D-5C4B3A291807@example.com",
                      "Thu, 25 Feb 2027 11:00:00 +0100", "Thu, 25 Feb 2027",
                      c, "cancel", "Apple Mail (2.3774.500.171.1.1)")


@fixture("apple-06-late-request.eml", LF)
def apple_06():
    c = ical(cal("REQUEST", apple_event(
        APPLE_UID_5, "20270610T100000", "20270610T110000",
        "Interview", dtstamp="20270225T093000Z"), MACOS_PRODID, vtz_apple(),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return apple_mail("Invitation: Interview",
                      "2B3C4D5E-6F70-4819-A2B3-C4D5E6F70819@example.com",
                      "Thu, 25 Feb 2027 10:30:00 +0100", "Thu, 25 Feb 2027",
                      c, "request", "Apple Mail (2.3774.500.171.1.1)")


# --- Nextcloud (Sabre/DAV) --------------------------------------------------

SABRE_PRODID = "-//Sabre//Sabre VObject 4.5.4//EN"
NC_UID_1 = "3b8f1d2e-7c4a-4f9b-a6e5-0d1c2b3a4f5e"
NC_UID_2 = "c6d5e4f3-a2b1-4c0d-9e8f-7a6b5c4d3e2f"
NC_UID_4 = "e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b"
NC_UID_5 = "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"


def sabre_event(uid, start, end, summary, tzid="Europe/Berlin", seq=0,
                dtstamp="20270301T000000Z", status=None, room=True,
                extra=()):
    att = ["ATTENDEE;CN=Bob Builder;CUTYPE=INDIVIDUAL;PARTSTAT=NEEDS-ACTION;"
           "ROLE=REQ-PARTICIPANT;RSVP=TRUE;LANGUAGE=en;SCHEDULE-STATUS=1.1:"
           "mailto:bob@example.com"]
    if room:
        att.insert(0, "ATTENDEE;CN=Room A;CUTYPE=ROOM;PARTSTAT=NEEDS-ACTION;"
                   "ROLE=REQ-PARTICIPANT;RSVP=TRUE;LANGUAGE=en;"
                   "SCHEDULE-AGENT=SERVER:mailto:" + ROOM)
    return ["BEGIN:VEVENT", "CREATED:20270212T100000Z",
            "DTSTAMP:" + dtstamp, "LAST-MODIFIED:" + dtstamp,
            "SEQUENCE:%d" % seq, "UID:" + uid,
            "DTSTART;TZID=%s:%s" % (tzid, start),
            "DTEND;TZID=%s:%s" % (tzid, end)] + \
        (["STATUS:" + status] if status else ["STATUS:CONFIRMED"]) + [
        "SUMMARY:" + summary, "LOCATION:Room A"] + list(extra) + \
        att + ["ORGANIZER;CN=Alice Example;SCHEDULE-AGENT=SERVER:mailto:" +
               ORG, "END:VEVENT"]


def nextcloud_mail(subject, msgid, date, day, cal_bytes, method, b64_cal=False,
                   to="room-a@example.org"):
    """Nextcloud's IMipPlugin: sent from the server's address with the
    organizer in Reply-To; text, html and the object in an alternative."""
    if b64_cal:
        calp = ("Content-Type: text/calendar; method=%s; charset=utf-8\n"
                "Content-Transfer-Encoding: base64\n\n%s\n" %
                (method, b64(cal_bytes)))
    else:
        calp = ("Content-Type: text/calendar; method=%s; charset=utf-8\n"
                "Content-Transfer-Encoding: quoted-printable\n\n%s\n" %
                (method, qp(cal_bytes)))
    bnd = "rQ2b7LkXyT"
    return (received(day, "11:20:05", "4ZwE2f3G4h") +
            "Message-ID: <%s>\nDate: %s\nSubject: %s\n"
            "From: \"Alice Example via Nextcloud\" "
            "<noreply@cloud.example.net>\n"
            "Reply-To: Alice Example <alice@example.com>\n"
            "To: %s\nMIME-Version: 1.0\n"
            "Content-Type: multipart/alternative; boundary=%s\n\n"
            "--%s\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
            "--%s\nContent-Type: text/html; charset=utf-8\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
            "--%s\n%s--%s--\n" %
            (msgid, date, subject, to, bnd, bnd,
             qp(("Alice Example has invited you to \u00bb%s\u00ab\n"
                 % subject).encode("utf-8")),
             bnd, qp(b"<!DOCTYPE html><html><body><table><tr><td>"
                     b"Invitation</td></tr></table></body></html>\n"),
             bnd, calp, bnd))


@fixture("nextcloud-01-request.eml", LF)
def nextcloud_01():
    c = ical(cal("REQUEST", sabre_event(
        NC_UID_1, "20270426T110000", "20270426T120000", "Redaktionssitzung",
        dtstamp="20270222T102000Z"), SABRE_PRODID,
        vtz_berlin(std="19701025T030000", dst="19700329T020000"),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return nextcloud_mail("Invitation: Redaktionssitzung",
                          "a9c0f1d2e3b4a5c6d7e8f9a0b1c2d3e4@cloud.example.net",
                          "Mon, 22 Feb 2027 11:20:03 +0000",
                          "Mon, 22 Feb 2027",
                          c, "REQUEST")


@fixture("nextcloud-02-daily-freeassociation-tzid.eml", LF)
def nextcloud_02():
    # An object a libical-based DAV client stored, relayed by Sabre; the
    # client wrote LF line ends, which survive inside the base64 part.
    c = ical(cal("REQUEST", sabre_event(
        NC_UID_2, "20270607T070000", "20270607T074500", "Fr\u00fchbesprechung",
        tzid=FREEASSOC_TZID, dtstamp="20270223T111500Z",
        extra=["RRULE:FREQ=DAILY;COUNT=3"]), SABRE_PRODID,
        vtz_berlin(FREEASSOC_TZID, extra=["X-LIC-LOCATION:Europe/Berlin"]),
        extra_top=["CALSCALE:GREGORIAN"]), LF)
    return nextcloud_mail("Invitation: Fruehbesprechung",
                          "b0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5@cloud.example.net",
                          "Tue, 23 Feb 2027 11:15:02 +0000",
                          "Tue, 23 Feb 2027",
                          c, "REQUEST", b64_cal=True)


@fixture("nextcloud-03-cancel-via-relay.eml", LF)
def nextcloud_03():
    c = ical(cal("CANCEL", sabre_event(
        NC_UID_1, "20270426T110000", "20270426T120000", "Redaktionssitzung",
        seq=1, status="CANCELLED", dtstamp="20270224T080000Z"), SABRE_PRODID,
        vtz_berlin(), extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return nextcloud_mail("Cancelled: Redaktionssitzung",
                          "c1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6@cloud.example.net",
                          "Wed, 24 Feb 2027 08:00:04 +0000",
                          "Wed, 24 Feb 2027",
                          c, "CANCEL")


@fixture("nextcloud-04-room-not-attendee.eml", LF)
def nextcloud_04():
    # The room is only named in LOCATION; the mail reached it by Bcc.
    c = ical(cal("REQUEST", sabre_event(
        NC_UID_4, "20270427T100000", "20270427T110000", "Kaffeerunde",
        dtstamp="20270224T121000Z", room=False), SABRE_PRODID, vtz_berlin(),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return nextcloud_mail("Invitation: Kaffeerunde",
                          "d2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7@cloud.example.net",
                          "Wed, 24 Feb 2027 12:10:00 +0000",
                          "Wed, 24 Feb 2027",
                          c, "REQUEST", to="bob@example.com")


@fixture("nextcloud-05-conflict-customized-tz.eml", LF)
def nextcloud_05():
    # 16:30-17:00 Berlin = 14:30Z: inside outlook-08 (10:00 EDT = 14:00Z)
    # only if that one's own VTIMEZONE was used.
    c = ical(cal("REQUEST", sabre_event(
        NC_UID_5, "20270415T163000", "20270415T170000", "Abstimmung Technik",
        dtstamp="20270225T090000Z"), SABRE_PRODID, vtz_berlin(),
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return nextcloud_mail("Invitation: Abstimmung Technik",
                          "e3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8@cloud.example.net",
                          "Thu, 25 Feb 2027 09:00:01 +0000",
                          "Thu, 25 Feb 2027",
                          c, "REQUEST")


# --- Zimbra -----------------------------------------------------------------

ZIMBRA_PRODID = "Zimbra-Calendar-Provider"
ZM_UID_1 = "8d2e4f6a-1b3c-4d5e-9f70-a1b2c3d4e5f6"
ZM_UID_2 = "2f4a6c8e-0b1d-4e3f-8a5b-6c7d8e9f0a1b"
ZM_UID_4 = "5b7d9f1a-3c5e-4a7b-9d1f-2a4c6e8b0d2f"


def zimbra_event(uid, start, end, summary, tzid="\"Europe/Berlin\"", seq=0,
                 dtstamp="20270301T000000Z", status="CONFIRMED", extra=()):
    return ["BEGIN:VEVENT", "UID:" + uid, "SUMMARY:" + summary,
            "LOCATION:Room A",
            "ATTENDEE;CN=Room A;CUTYPE=RESOURCE;ROLE=NON-PARTICIPANT;"
            "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + ROOM,
            "ATTENDEE;CN=Bob Builder;ROLE=REQ-PARTICIPANT;"
            "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com",
            "ORGANIZER;CN=Alice Example:mailto:" + ORG,
            "DTSTART;TZID=%s:%s" % (tzid, start),
            "DTEND;TZID=%s:%s" % (tzid, end),
            "STATUS:" + status, "CLASS:PUBLIC",
            "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY", "TRANSP:OPAQUE",
            "LAST-MODIFIED:" + dtstamp, "DTSTAMP:" + dtstamp,
            "SEQUENCE:%d" % seq,
            "DESCRIPTION:The following is a new meeting request:"
            "\\n\\nSubject: "
            "%s \\nOrganizer: \"Alice Example\" <alice@example.com> \\n\\n"
            "Location: Room A \\nResources: Room A \\n\\n*~*~*~*~*~*~*~*~*~*"
            % summary,
            "X-ALT-DESC;FMTTYPE=text/html:<html><body id='htmlmode'><h3>The "
            "following is a new meeting request:</h3><p>%s</p></body></html>"
            % summary] + list(extra) + (
        ["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER;RELATED=START:-PT5M",
         "DESCRIPTION:Reminder", "END:VALARM"]
        if status != "CANCELLED" else []) + ["END:VEVENT"]


def zimbra_mail(subject, msgid, date, day, cal_bytes, method, thread_index):
    bnd = "=_b6e1c2d3-4f5a-4b6c-8d7e-9f0a1b2c3d4e"
    return (received(day, "08:31:44", "4ZxF3g4H5i") +
            "Date: %s\nFrom: Alice Example <alice@example.com>\n"
            "To: Room A <room-a@example.org>\nMessage-ID: <%s>\n"
            "Subject: %s\nMIME-Version: 1.0\n"
            "Content-Type: multipart/alternative;\n\tboundary=\"%s\"\n"
            "X-Mailer: Zimbra 10.0.6_GA_4655 (ZimbraWebClient - FF123 "
            "(Linux)/10.0.6_GA_4655)\n"
            "Thread-Topic: %s\nThread-Index: %s\n\n"
            "--%s\nContent-Type: text/plain; charset=utf-8\n"
            "Content-Transfer-Encoding: 7bit\n\n"
            "The following is a new meeting request:\n\n"
            "--%s\nContent-Type: text/html; charset=utf-8\n"
            "Content-Transfer-Encoding: 7bit\n\n"
            "<html><body id='htmlmode'><h3>The following is a new meeting "
            "request:</h3></body></html>\n"
            "--%s\nContent-Type: text/calendar; charset=utf-8; method=%s; "
            "name=meeting.ics\nContent-Transfer-Encoding: 7bit\n\n%s"
            "--%s--\n" %
            (date, msgid, subject, bnd, subject, thread_index, bnd, bnd, bnd,
             method, cal_bytes.decode("utf-8").replace("\r\n", "\n"), bnd))


ZIMBRA_TOP = ["X-WR-CALNAME:Calendar"]


@fixture("zimbra-01-request.eml", CRLF)
def zimbra_01():
    c = ical(cal("REQUEST", zimbra_event(
        ZM_UID_1, "20270428T100000", "20270428T113000", "Projekt Kickoff",
        dtstamp="20270223T073100Z",
        extra=["X-ZIMBRA-DISCARD-EXCEPTIONS:TRUE"]), ZIMBRA_PRODID,
        VTZ_ZIMBRA, ZIMBRA_TOP), CRLF)
    return zimbra_mail("Projekt Kickoff",
                       "1283466790.24.1803800000000."
                       "JavaMail.zimbra@example.com",
                       "Tue, 23 Feb 2027 08:31:40 +0100", "Tue, 23 Feb 2027",
                       c, "REQUEST", "ZA1B2C3D4E5F6071829304A5B6C7D8E9F0A1B2")


@fixture("zimbra-02-legacy-tzid.eml", CRLF)
def zimbra_02():
    c = ical(cal("REQUEST", zimbra_event(
        ZM_UID_2, "20270429T130000", "20270429T140000", "Budgetrunde",
        tzid="\"%s\"" % ZIMBRA_LEGACY_TZID, dtstamp="20270223T090000Z"),
        ZIMBRA_PRODID, VTZ_ZIMBRA_LEGACY, ZIMBRA_TOP), CRLF)
    return zimbra_mail("Budgetrunde",
                       "1901234567.31.1803806000000."
                       "JavaMail.zimbra@example.com",
                       "Tue, 23 Feb 2027 10:00:00 +0100", "Tue, 23 Feb 2027",
                       c, "REQUEST", "ZB2C3D4E5F6071829304A5B6C7D8E9F0A1B2C3")


@fixture("zimbra-03-cancel.eml", CRLF)
def zimbra_03():
    c = ical(cal("CANCEL", zimbra_event(
        ZM_UID_1, "20270428T100000", "20270428T113000", "Projekt Kickoff",
        seq=1, status="CANCELLED", dtstamp="20270226T070000Z",
        extra=["X-ZIMBRA-CHANGES:time"]), ZIMBRA_PRODID, VTZ_ZIMBRA,
        ZIMBRA_TOP), CRLF)
    return zimbra_mail("Cancelled: Projekt Kickoff",
                       "1322334455.40.1803999000000."
                       "JavaMail.zimbra@example.com",
                       "Fri, 26 Feb 2027 08:00:00 +0100", "Fri, 26 Feb 2027",
                       c, "CANCEL", "ZA1B2C3D4E5F6071829304A5B6C7D8E9F0A1B2")


@fixture("zimbra-04-slot-freed-by-cancel.eml", CRLF)
def zimbra_04():
    # 18:00-19:00 Berlin = 16:00Z: outlook-02's slot, freed by outlook-03.
    c = ical(cal("REQUEST", zimbra_event(
        ZM_UID_4, "20270413T180000", "20270413T190000", "Abendtermin",
        dtstamp="20270226T093000Z"), ZIMBRA_PRODID, VTZ_ZIMBRA, ZIMBRA_TOP),
        CRLF)
    return zimbra_mail("Abendtermin",
                       "1455667788.52.1804007000000."
                       "JavaMail.zimbra@example.com",
                       "Fri, 26 Feb 2027 10:30:00 +0100", "Fri, 26 Feb 2027",
                       c, "REQUEST", "ZC3D4E5F6071829304A5B6C7D8E9F0A1B2C3D4")


# --- IBM / HCL Notes --------------------------------------------------------

NOTES_PRODID = "-//Lotus Development Corporation//NONSGML Notes 9.0.1//EN_C"
NOTES_UID_1 = "A1B2C3D4E5F60718C125891A003E2F11-Lotus_Notes_Generated"
NOTES_UID_2 = "B2C3D4E5F6071829C125891A0041A922-Lotus_Notes_Generated"
NOTES_UID_4 = "C3D4E5F60718293AC125891A0047B033-Lotus_Notes_Generated"
NOTES_TZ = "\"Central Europe\""


def notes_event(uid, start, end, summary, seq=0, dtstamp="20270301T000000Z",
                notice="I", status=None, extra=()):
    return ["BEGIN:VEVENT",
            "DTSTART;TZID=%s:%s" % (NOTES_TZ, start),
            "DTEND;TZID=%s:%s" % (NOTES_TZ, end)] + list(extra) + [
            "TRANSP:OPAQUE", "DTSTAMP:" + dtstamp, "SEQUENCE:%d" % seq] + \
        (["STATUS:" + status] if status else []) + [
            "ATTENDEE;ROLE=CHAIR;PARTSTAT=ACCEPTED;"
            "CN=\"Alice Example/Sales/Example\";RSVP=FALSE:mailto:" + ORG,
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:"
            "mailto:" + ROOM,
            "CLASS:PUBLIC", "DESCRIPTION:Bitte Unterlagen mitbringen.",
            "SUMMARY:" + summary, "LOCATION:Raum A",
            "ORGANIZER;CN=\"Alice Example/Sales/Example\":mailto:" + ORG,
            "UID:" + uid,
            "X-LOTUS-BROADCAST:FALSE",
            "X-LOTUS-UPDATE-SEQ:%d" % (seq + 1),
            "X-LOTUS-UPDATE-WISL:$S:1;$L:1;$B:1;$R:1;$E:1;$W:1;$O:1;$M:1",
            "X-LOTUS-NOTESVERSION:2", "X-LOTUS-NOTICETYPE:" + notice,
            "X-LOTUS-APPTTYPE:3", "X-LOTUS-CHILD-UID:" + uid.split("-")[0],
            "END:VEVENT"]


def notes_mail(subject, msgid, date, day, cal_bytes, method, charset):
    """Notes: METHOD only as a Content-Type parameter (quoted), the object
    quoted-printable in the message's charset."""
    bnd = "=_alternative 003E2F11C125891A_="
    return (received(day, "11:05:31", "4ZyG4h5I6j") +
            "Subject: %s\nTo: room-a@example.org\n"
            "X-Mailer: HCL Notes Release 12.0.2FP4 August 21, 2024\n"
            "X-KeepSent: A1B2C3D4E5F60718:C125891A003E2F11-C125891A003E2F22;\n"
            " type=4; name=$KeepSent\n"
            "Message-ID: <OFA1B2C3D4.E5F60718-ONC125891A.003E2F11-"
            "C125891A.003E2F22@%s>\n"
            "From: Alice Example <alice@example.com>\nDate: %s\n"
            "X-MIMETrack: Serialize by Router on MAIL01/Example(Release "
            "12.0.2FP4|August 21, 2024) at\n 26.02.2027 12:05:31\n"
            "MIME-Version: 1.0\n"
            "Content-Type: multipart/alternative; boundary=\"%s\"\n\n"
            "--%s\nContent-Type: text/plain; charset=\"%s\"\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
            "--%s\nContent-Type: text/html; charset=\"%s\"\n"
            "Content-Transfer-Encoding: quoted-printable\n\n%s\n"
            "--%s\nContent-Type: text/calendar; method=\"%s\"; "
            "charset=\"%s\"\nContent-Transfer-Encoding: quoted-printable\n\n"
            "%s\n--%s--\n" %
            (subject, msgid, date, bnd, bnd, charset,
             qp("Einladung: {}\n".format(subject).encode(charset)), bnd,
             charset, qp(b"<body><font size=2 face=\"sans-serif\">Einladung"
                         b"</font></body>\n"), bnd, method, charset,
             qp(cal_bytes), bnd))


def notes_cal(ev, charset="utf-8"):
    # No METHOD property: Notes puts it in the Content-Type only.
    return ical(cal(None, ev, NOTES_PRODID, VTZ_NOTES), CRLF,
                charset=charset)


@fixture("notes-01-request-latin1.eml", CRLF)
def notes_01():
    c = notes_cal(notes_event(NOTES_UID_1, "20270430T100000",
                              "20270430T110000",
                              "Jahresplanung B\u00fcro K\u00f6ln",
                              dtstamp="20270226T110531Z"), "iso-8859-1")
    return notes_mail("Einladung: Jahresplanung Buero Koeln (30.04.2027 "
                      "10:00 CEDT in Raum A)", "notes.example.com",
                      "Fri, 26 Feb 2027 12:05:31 +0100", "Fri, 26 Feb 2027",
                      c, "REQUEST", "ISO-8859-1")


@fixture("notes-02-rdate-series.eml", CRLF)
def notes_02():
    # Notes writes a repeating meeting as explicit RDATEs, not an RRULE.
    c = notes_cal(notes_event(
        NOTES_UID_2, "20270602T140000", "20270602T150000", "Vertriebsrunde",
        dtstamp="20270226T113000Z", extra=[
            "RDATE;TZID=%s:20270602T140000,20270609T140000,20270616T140000"
            % NOTES_TZ]))
    return notes_mail("Einladung: Vertriebsrunde (3 Termine)",
                      "notes.example.com", "Fri, 26 Feb 2027 12:30:00 +0100",
                      "Fri, 26 Feb 2027", c, "REQUEST", "UTF-8")


@fixture("notes-03-cancel.eml", CRLF)
def notes_03():
    c = notes_cal(notes_event(NOTES_UID_1, "20270430T100000",
                              "20270430T110000",
                              "Abgesagt: Jahresplanung B\u00fcro K\u00f6ln",
                              seq=1, notice="C", status="CANCELLED",
                              dtstamp="20270227T090000Z"), "iso-8859-1")
    return notes_mail("Abgesagt: Jahresplanung Buero Koeln",
                      "notes.example.com", "Sat, 27 Feb 2027 10:00:00 +0100",
                      "Sat, 27 Feb 2027", c, "CANCEL", "ISO-8859-1")


@fixture("notes-04-conflict-with-series.eml", CRLF)
def notes_04():
    # 10 May 09:00 Berlin: an instance of google-03 that is still booked.
    c = notes_cal(notes_event(NOTES_UID_4, "20270510T090000",
                              "20270510T100000", "Kundentermin",
                              dtstamp="20270227T100000Z"))
    return notes_mail("Einladung: Kundentermin", "notes.example.com",
                      "Sat, 27 Feb 2027 11:00:00 +0100", "Sat, 27 Feb 2027",
                      c, "REQUEST", "UTF-8")


# --- Evolution --------------------------------------------------------------

EVO_PRODID = "-//Ximian//NONSGML Evolution Calendar//EN"
EVO_UID_1 = "20270226T141516Z-4711-1000-1-7@laptop.example.com"
EVO_UID_2 = "20270226T150000Z-4712-1000-1-9@laptop.example.com"
EVO_UID_4 = "20270226T160000Z-4713-1000-1-3@laptop.example.com"


def evo_event(uid, start, end, summary, tzid=EVO_OLD_TZID, seq=1,
              dtstamp="20270301T000000Z", status=None):
    return ["BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:" + dtstamp,
            "DTSTART;TZID=%s:%s" % (tzid, start),
            "DTEND;TZID=%s:%s" % (tzid, end),
            "SEQUENCE:%d" % seq, "SUMMARY:" + summary, "LOCATION:Room A",
            "CLASS:PUBLIC", "TRANSP:OPAQUE"] + \
        (["STATUS:" + status] if status else []) + [
            "ORGANIZER;CN=Alice Example:MAILTO:" + ORG,
            "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=CHAIR;PARTSTAT=ACCEPTED;"
            "RSVP=TRUE;CN=Alice Example;LANGUAGE=en:MAILTO:" + ORG,
            "ATTENDEE;CUTYPE=ROOM;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
            "RSVP=TRUE;CN=Room A;LANGUAGE=en:MAILTO:" + ROOM,
            "CREATED:20270226T141516Z", "LAST-MODIFIED:" + dtstamp,
            "END:VEVENT"]


def evo_mail(subject, msgid, date, day, cal_bytes, method, component):
    bnd = "=-b3T4kQ9zR2mW8xL6nP1v"
    return (received(day, "15:20:11", "4ZzH5i6J7k") +
            "Subject: %s\nFrom: Alice Example <alice@example.com>\n"
            "To: Room A <room-a@example.org>\nDate: %s\n"
            "Message-ID: <%s>\n"
            "Content-Type: multipart/mixed; boundary=\"%s\"\n"
            "User-Agent: Evolution 3.52.4 (3.52.4-1.fc40)\n"
            "MIME-Version: 1.0\n\n"
            "--%s\nContent-Type: text/plain; charset=\"UTF-8\"\n"
            "Content-Transfer-Encoding: 7bit\n\n%s\n\n"
            "--%s\nContent-Type: text/calendar; charset=\"UTF-8\"; "
            "name=\"meeting.ics\"; method=%s; component=%s\n"
            "Content-Disposition: inline; filename=\"meeting.ics\"\n"
            "Content-Transfer-Encoding: 8bit\n\n%s\n--%s--\n" %
            (subject, date, msgid, bnd, bnd, subject, bnd, method, component,
             cal_bytes.decode("utf-8").replace("\r\n", "\n"), bnd))


@fixture("evolution-01-request.eml", LF)
def evolution_01():
    c = ical(cal("REQUEST", evo_event(
        EVO_UID_1, "20270504T150000", "20270504T160000", "Lesekreis",
        dtstamp="20270226T141516Z"), EVO_PRODID,
        vtz_berlin(EVO_OLD_TZID, extra=["X-LIC-LOCATION:Europe/Berlin"],
                   names=True)), CRLF)
    return evo_mail("Meeting Request: Lesekreis",
                    "2e4d1c8b9a7f6e5d4c3b2a19@laptop.example.com",
                    "Fri, 26 Feb 2027 16:20:11 +0100", "Fri, 26 Feb 2027",
                    c, "REQUEST", "VEVENT")


@fixture("evolution-02-slot-freed-by-instance-cancel.eml", LF)
def evolution_02():
    # 3 May 09:00-09:30 Berlin: the google-03 instance google-04 cancelled.
    c = ical(cal("REQUEST", evo_event(
        EVO_UID_2, "20270503T090000", "20270503T093000", "Ersatztermin",
        tzid=EVO_NEW_TZID, dtstamp="20270226T150000Z"), EVO_PRODID,
        vtz_berlin(EVO_NEW_TZID, extra=["X-LIC-LOCATION:Europe/Berlin"])),
        CRLF)
    return evo_mail("Meeting Request: Ersatztermin",
                    "3f5e2d9c0b8a7f6e5d4c3b2a@laptop.example.com",
                    "Fri, 26 Feb 2027 17:00:00 +0100", "Fri, 26 Feb 2027",
                    c, "REQUEST", "VEVENT")


@fixture("evolution-03-cancel.eml", LF)
def evolution_03():
    c = ical(cal("CANCEL", evo_event(
        EVO_UID_1, "20270504T150000", "20270504T160000", "Lesekreis", seq=2,
        status="CANCELLED", dtstamp="20270227T120000Z"), EVO_PRODID,
        vtz_berlin(EVO_OLD_TZID, extra=["X-LIC-LOCATION:Europe/Berlin"])),
        CRLF)
    return evo_mail("Meeting Cancelled: Lesekreis",
                    "4a6f3e0d1c9b8a7f6e5d4c3b@laptop.example.com",
                    "Sat, 27 Feb 2027 13:00:00 +0100", "Sat, 27 Feb 2027",
                    c, "CANCEL", "VEVENT")


@fixture("evolution-04-assigned-task.eml", LF)
def evolution_04():
    # Evolution can assign a task by iTIP; a room has nothing to do with it.
    todo = ["BEGIN:VTODO", "UID:" + EVO_UID_4, "DTSTAMP:20270226T160000Z",
            "SUMMARY:Beamer pr\u00fcfen", "DUE;VALUE=DATE:20270511",
            "SEQUENCE:1", "ORGANIZER;CN=Alice Example:MAILTO:" + ORG,
            "ATTENDEE;CUTYPE=ROOM;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
            "RSVP=TRUE;CN=Room A;LANGUAGE=en:MAILTO:" + ROOM,
            "STATUS:NEEDS-ACTION", "PERCENT-COMPLETE:0",
            "CREATED:20270226T160000Z", "LAST-MODIFIED:20270226T160000Z",
            "END:VTODO"]
    c = ical(cal("REQUEST", todo, EVO_PRODID), CRLF)
    return evo_mail("Task Assigned: Beamer pruefen",
                    "5b7a4f1e2d0c9b8a7f6e5d4c@laptop.example.com",
                    "Fri, 26 Feb 2027 17:30:00 +0100", "Fri, 26 Feb 2027",
                    c, "REQUEST", "VTODO")


# --- probes: later bookings that show where earlier ones really landed -----

@fixture("apple-07-slot-freed-by-update.eml", LF)
def apple_07():
    # 12 Apr 10:00-10:30 Berlin: outlook-01's first half, which the
    # update (outlook-05) gave up and the stale resend must not retake.
    c = ical(cal("REQUEST", apple_event(
        "4D6F8A0C-2E4B-4D6F-8A1C-3E5B7D9F1A2C", "20270412T100000",
        "20270412T103000", "Vorbesprechung", dtstamp="20270227T150000Z"),
        MACOS_PRODID, vtz_apple(), extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return apple_mail("Invitation: Vorbesprechung",
                      "6E5D4C3B-2A19-4807-B6F5-E4D3C2B1A098@example.com",
                      "Sat, 27 Feb 2027 16:00:00 +0100", "Sat, 27 Feb 2027",
                      c, "request", "Apple Mail (2.3774.500.171.1.1)")


@fixture("google-06-conflict-all-day.eml", CRLF)
def google_06():
    # 20 May 22:30Z is already 21 May in Berlin: inside apple-04's day
    # only if the DATE was read in the room's zone, not in UTC.
    c = ical(cal("REQUEST", google_event(
        "2b4d6f8h0j1k3l5m7n9p0q2r4s@google.com", "20270520T223000Z",
        "20270520T230000Z", "Late call with Sydney",
        dtstamp="20270227T160000Z"), GOOGLE_PRODID,
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return google_mail(
        "Invitation: Late call with Sydney @ Fri May 21, 2027 12:30am - 1am "
        "(CEST) (room-a@example.org)", "Alice Example <alice@example.com>",
        "alice@example.com",
        "calendar-2c3d4e5f-6071-4829-a3b4-c5d6e7f80912@google.com",
        "Sat, 27 Feb 2027 16:00:02 +0000", "Sat, 27 Feb 2027", c, "REQUEST")


@fixture("google-07-conflict-winter-instance.eml", CRLF)
def google_07():
    # 1 Dec 07:00Z: outlook-04's Wednesday 08:00 after the switch to CET.
    # A series expanded with its summer offset would sit at 06:00Z.
    c = ical(cal("REQUEST", google_event(
        "8c0e2g4i6k7m9o1q3s5u7w9y0a@google.com", "20271201T070000Z",
        "20271201T073000Z", "Advent planning",
        dtstamp="20270227T161000Z"), GOOGLE_PRODID,
        extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return google_mail(
        "Invitation: Advent planning @ Wed Dec 1, 2027 8am - 8:30am (CET) "
        "(room-a@example.org)", "Alice Example <alice@example.com>",
        "alice@example.com",
        "calendar-3d4e5f60-7182-4930-b4c5-d6e7f8091a2b@google.com",
        "Sat, 27 Feb 2027 16:10:01 +0000", "Sat, 27 Feb 2027", c, "REQUEST")


@fixture("zimbra-05-slot-freed-by-moved-instance.eml", CRLF)
def zimbra_05():
    # 20 May 17:00-17:30 Berlin: the occurrence thunderbird-03 moved away.
    c = ical(cal("REQUEST", zimbra_event(
        "7c9e1a3b-5d7f-4b9c-8e0a-2b4d6f8a0c1e", "20270520T170000",
        "20270520T173000", "Kurzabstimmung", dtstamp="20270227T170000Z"),
        ZIMBRA_PRODID, VTZ_ZIMBRA, ZIMBRA_TOP), CRLF)
    return zimbra_mail("Kurzabstimmung",
                       "1566778899.61.1804086000000."
                       "JavaMail.zimbra@example.com",
                       "Sat, 27 Feb 2027 18:00:00 +0100", "Sat, 27 Feb 2027",
                       c, "REQUEST", "ZD4E5F6071829304A5B6C7D8E9F0A1B2C3D4E5")


@fixture("evolution-05-conflict-unmoved-instance.eml", LF)
def evolution_05():
    # 27 May 17:15 Berlin: an occurrence of thunderbird-02 the override
    # left alone, so still booked.
    c = ical(cal("REQUEST", evo_event(
        "20270227T171500Z-4714-1000-1-5@laptop.example.com",
        "20270527T171500", "20270527T174500", "Nachbesprechung",
        dtstamp="20270227T171500Z"), EVO_PRODID,
        vtz_berlin(EVO_OLD_TZID, extra=["X-LIC-LOCATION:Europe/Berlin"])),
        CRLF)
    return evo_mail("Meeting Request: Nachbesprechung",
                    "5c8b5a2f3e1d0c9b8a7f6e5d@laptop.example.com",
                    "Sat, 27 Feb 2027 18:15:00 +0100", "Sat, 27 Feb 2027",
                    c, "REQUEST", "VEVENT")


@fixture("thunderbird-06-conflict-rdate-instance.eml", LF)
def thunderbird_06():
    # 9 Jun 14:30 Berlin: the second RDATE of notes-02, not its DTSTART.
    c = ical(cal("REQUEST", moz_event(
        "f3a5c7e9-1b2d-4f6a-8c0e-9d1b3f5a7c9e", "20270609T143000",
        "20270609T153000", "Europe/Berlin", "Retrospektive",
        dtstamp="20270227T180000Z"), MOZ_PRODID, vtz_moz_new()), CRLF)
    return moz_mail("Invitation: Retrospektive",
                    "e8f3b0d5-2c7a-4f46-b1e9-a4f6c3d2b758@example.com",
                    "Sat, 27 Feb 2027 19:00:00 +0100", "Sat, 27 Feb 2027",
                    c, "REQUEST", TB_UA_NEW)


@fixture("thunderbird-07-same-version-again.eml", LF)
def thunderbird_07():
    # thunderbird-02's series sent again unchanged (same SEQUENCE and
    # DTSTAMP): idempotent, the current answer repeated.
    ev = moz_event(TB_UID_2, "20270506T170000", "20270506T180000",
                   MOZ_OLD_TZID, "Release planning", extra=[
                       "RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=TH"],
                   dtstamp="20270220T101000Z")
    c = ical(cal("REQUEST", ev, MOZ_PRODID, vtz_moz_old()), CRLF)
    return moz_mail("Invitation: Release planning", "4B2F1A23.9080700@"
                    "example.com", "Sun, 28 Feb 2027 09:00:00 +0100",
                    "Sun, 28 Feb 2027", c, "REQUEST", TB_UA_OLD,
                    cte="quoted-printable")


@fixture("nextcloud-06-day-after-count-ends.eml", LF)
def nextcloud_06():
    # 10 Jun 07:00 Berlin: the day after nextcloud-02's COUNT=3 ran out.
    c = ical(cal("REQUEST", sabre_event(
        "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e", "20270610T070000",
        "20270610T074500", "Fr\u00fchst\u00fcck", dtstamp="20270227T190000Z"),
        SABRE_PRODID, vtz_berlin(), extra_top=["CALSCALE:GREGORIAN"]), CRLF)
    return nextcloud_mail("Invitation: Fruehstueck",
                          "f4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9@cloud.example.net",
                          "Sat, 27 Feb 2027 19:00:01 +0000",
                          "Sat, 27 Feb 2027",
                          c, "REQUEST")


def main():
    names = set()
    for name, eol, fn in FIXTURES:
        assert name not in names, name
        names.add(name)
        text = fn()
        data = text.replace("\r\n", "\n").replace("\n", eol).encode("utf-8")
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
    print("wrote %d fixtures" % len(FIXTURES), file=sys.stderr)


if __name__ == "__main__":
    main()
