/*
 * itip_cal.h - the iCalendar text the iTIP tests parse, built from string
 * literals: content lines, a VCALENDAR around one VEVENT, the usual event
 * properties, named zones with their VTIMEZONE blocks, and the UTC
 * instants the expected results use.  Shared by test_itip.c (well-formed
 * input) and test_itip_bad.c (input the parser must refuse).
 */
#ifndef IMIP_TEST_ITIP_CAL_H
#define IMIP_TEST_ITIP_CAL_H

#include <stdint.h>

/* One content line of a test calendar. */
#define L(s)	s "\r\n"

/* A VCALENDAR around one VEVENT; method is a METHOD line or "". */
#define CAL_WITH(method, extra, body)					\
	L("BEGIN:VCALENDAR") L("VERSION:2.0")				\
	L("PRODID:-//imip-milter//tests//EN") method extra		\
	L("BEGIN:VEVENT") body L("END:VEVENT") L("END:VCALENDAR")
#define CAL(method, body)	CAL_WITH(method, "", body)

#define REQUEST		L("METHOD:REQUEST")
#define EVENT_IDS							\
	L("UID:case@example.org") L("DTSTAMP:20270215T120000Z")		\
	L("ORGANIZER:mailto:alice@example.org")
#define BERLIN		"Europe/Berlin"
#define NEW_YORK	"America/New_York"
#define PLUS0530	"Custom/Plus0530"	/* PLUS0530_VTIMEZONE */
#define MARS		"Mars/Olympus_Mons"	/* in no database */
#define WEST		"W. Europe Standard Time"	/* WEST_VTIMEZONE */

/* DTSTART and DTEND in one named zone. */
#define ZONED(tz, start, end)						\
	L("DTSTART;TZID=" tz ":" start) L("DTEND;TZID=" tz ":" end)
#define ONE_HOUR_UTC							\
	L("DTSTART:20270301T090000Z") L("DTEND:20270301T100000Z")

/* Outlook's name for Central European time, as Exchange sends it. */
#define WEST_VTIMEZONE							\
	L("BEGIN:VTIMEZONE") L("TZID:W. Europe Standard Time")		\
	L("BEGIN:STANDARD") L("DTSTART:16010101T030000")		\
	L("TZOFFSETFROM:+0200") L("TZOFFSETTO:+0100")			\
	L("RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10")	\
	L("END:STANDARD") L("BEGIN:DAYLIGHT")				\
	L("DTSTART:16010101T020000") L("TZOFFSETFROM:+0100")		\
	L("TZOFFSETTO:+0200")						\
	L("RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3")		\
	L("END:DAYLIGHT") L("END:VTIMEZONE")

/* A zone no tz database knows, defined only by its VTIMEZONE. */
#define PLUS0530_VTIMEZONE						\
	L("BEGIN:VTIMEZONE") L("TZID:Custom/Plus0530")			\
	L("BEGIN:STANDARD") L("DTSTART:19700101T000000")		\
	L("TZOFFSETFROM:+0530") L("TZOFFSETTO:+0530")			\
	L("END:STANDARD") L("END:VTIMEZONE")

#define T_20270215_1200Z	INT64_C(1802692800)
#define T_20270301_0900Z	INT64_C(1803891600)
#define T_20270301_1000Z	INT64_C(1803895200)

#endif
