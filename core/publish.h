/*
 * publish.h - a calendar's free/busy as an iCalendar file for web servers.
 *
 * The file is what Outlook's and Thunderbird's free/busy URL expects: one
 * VFREEBUSY (METHOD:PUBLISH) with the merged busy periods of a window,
 * times only.  It is replaced atomically, so a web server never serves a
 * half-written one.
 */
#ifndef IMIP_PUBLISH_H
#define IMIP_PUBLISH_H

#include <stdint.h>

#include "conf.h"
#include "err.h"
#include "freebusy.h"
#include "store.h"

/*
 * imip_fb_busy - cal's busy periods overlapping [from, to), cut to it and
 * merged by type, into *out; the caller frees out->v
 */
int	imip_fb_busy(struct imip_fb_list *out, struct imip_store *st,
	    const struct imip_calendar *cal, int64_t from, int64_t to,
	    struct imip_err *err);

/*
 * imip_fb_vcalendar - the VCALENDAR (METHOD:PUBLISH) with cal's merged
 * busy periods in [from, to) as one VFREEBUSY, stamped now; prodid names
 * the program.  The caller frees *out.
 */
int	imip_fb_vcalendar(char **out, struct imip_store *st,
	    const struct imip_calendar *cal, int64_t from, int64_t to,
	    int64_t now, const char *prodid, struct imip_err *err);

/*
 * imip_publish_text - the text of cal's published free/busy file at now:
 * imip_fb_vcalendar from a day before now to days after it.  The caller
 * frees *out.
 */
int	imip_publish_text(char **out, struct imip_store *st,
	    const struct imip_calendar *cal, int64_t now, int days,
	    struct imip_err *err);

/*
 * imip_publish_freebusy - when conf names a freebusy_dir and cal has
 * publish_freebusy, write its free/busy from a day before now to
 * freebusy_days after it as freebusy_dir/ADDRESS.vfb (mode 0644): into a
 * temporary file in that directory, synced, then renamed over the old.
 * Otherwise nothing happens.
 */
int	imip_publish_freebusy(struct imip_store *st,
	    const struct imip_conf *conf, const struct imip_calendar *cal,
	    int64_t now, struct imip_err *err);

/*
 * imip_publish_forget - remove the free/busy file of address from conf's
 * freebusy_dir (the calendar was removed or renamed); no file is fine
 */
int	imip_publish_forget(const struct imip_conf *conf, const char *address,
	    struct imip_err *err);

/*
 * imip_publish_all - imip_publish_freebusy for every calendar that has
 * publish_freebusy (the window moves on with the days, so this runs
 * daily with "imipctl expand"); *n of them written.  A failure for one
 * does not stop the others; the first is returned.
 */
int	imip_publish_all(struct imip_store *st, const struct imip_conf *conf,
	    int64_t now, int *n, struct imip_err *err);

#endif
