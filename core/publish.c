/*
 * publish.c - write a calendar's free/busy where a web server serves it.
 *
 * The store lists the busy rows of the window, freebusy.c merges them,
 * libical writes the VFREEBUSY.  This file only chooses the window and
 * replaces the file atomically (write, fsync, rename); it never decides
 * anything about bookings.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libical/ical.h>

#include "freebusy.h"
#include "icaltime.h"
#include "publish.h"

/* The merged busy periods of a range, and the first error. */
struct fb_collect {
	struct imip_fb_list	*l;
	struct imip_err		*err;
};

static int
collect(const struct imip_busy_rec *b, void *arg)
{
	struct fb_collect *c = arg;

	if (imip_fb_add(c->l, (struct imip_period){ b->start, b->end },
	    imip_fbtype_parse(b->fbtype)))
		return 0;
	return imip_err_set(c->err, IMIP_ENOMEM, "free/busy periods");
}

int
imip_fb_busy(struct imip_fb_list *out, struct imip_store *st,
    const struct imip_calendar *cal, int64_t from, int64_t to,
    struct imip_err *err)
{
	struct fb_collect c = { .l = out, .err = err };
	int rc;

	*out = (struct imip_fb_list){ .range = { from, to } };
	rc = imip_store_busy_overlapping(st, cal->id, from, to, NULL, collect,
	    &c, err);
	if (rc < 0) {
		free(out->v);
		*out = (struct imip_fb_list){ .range = { from, to } };
	}
	return rc;
}

static icalproperty *
fb_prop(const struct imip_fb_period *f)
{
	static const icalparameter_fbtype types[] = {
		[IMIP_FB_BUSY] = ICAL_FBTYPE_BUSY,
		[IMIP_FB_TENTATIVE] = ICAL_FBTYPE_BUSYTENTATIVE,
		[IMIP_FB_UNAVAILABLE] = ICAL_FBTYPE_BUSYUNAVAILABLE,
	};
	icaltimezone *utc = icaltimezone_get_utc_timezone();
	struct icalperiodtype per;
	icalproperty *p;

	memset(&per, 0, sizeof(per));
	per.start = icaltime_from_timet_with_zone((time_t)f->period.start, 0,
	    utc);
	per.end = icaltime_from_timet_with_zone((time_t)f->period.end, 0, utc);
	per.duration = icaldurationtype_null_duration();
	p = icalproperty_new_freebusy(per);
	icalproperty_add_parameter(p, icalparameter_new_fbtype(types[f->type]));
	return p;
}

/*
 * The VCALENDAR around one VFREEBUSY for l; its UID names the calendar
 * and the range, never an event.
 */
static char *
vcalendar_text(const struct imip_calendar *cal, const struct imip_fb_list *l,
    int64_t now, const char *prodid)
{
	icalcomponent *root = icalcomponent_new(ICAL_VCALENDAR_COMPONENT);
	icalcomponent *fb = icalcomponent_new(ICAL_VFREEBUSY_COMPONENT);
	char uid[96], *uri = NULL, *text = NULL;

	snprintf(uid, sizeof(uid), "freebusy-%lld-%lld-%lld@imip-milter",
	    (long long)cal->id, (long long)l->range.start,
	    (long long)l->range.end);
	if (asprintf(&uri, "mailto:%s", cal->address) < 0)
		uri = NULL;
	if (root != NULL && fb != NULL && uri != NULL) {
		icalcomponent_add_property(root, icalproperty_new_prodid(prodid));
		icalcomponent_add_property(root, icalproperty_new_version("2.0"));
		icalcomponent_add_property(root,
		    icalproperty_new_method(ICAL_METHOD_PUBLISH));
		icalcomponent_add_property(fb, icalproperty_new_uid(uid));
		icalcomponent_add_property(fb,
		    imip_icaltime_prop(icalproperty_new_dtstamp, now));
		icalcomponent_add_property(fb,
		    imip_icaltime_prop(icalproperty_new_dtstart, l->range.start));
		icalcomponent_add_property(fb,
		    imip_icaltime_prop(icalproperty_new_dtend, l->range.end));
		icalcomponent_add_property(fb, icalproperty_new_organizer(uri));
		for (size_t i = 0; i < l->n; i++)
			icalcomponent_add_property(fb, fb_prop(&l->v[i]));
		icalcomponent_add_component(root, fb);
		fb = NULL;		/* root owns it now */
		text = icalcomponent_as_ical_string_r(root);
	}
	if (fb != NULL)
		icalcomponent_free(fb);
	if (root != NULL)
		icalcomponent_free(root);
	free(uri);
	return text;
}

int
imip_fb_vcalendar(char **out, struct imip_store *st,
    const struct imip_calendar *cal, int64_t from, int64_t to, int64_t now,
    const char *prodid, struct imip_err *err)
{
	struct imip_fb_list l;
	int rc;

	*out = NULL;
	rc = imip_fb_busy(&l, st, cal, from, to, err);
	if (rc == IMIP_OK && (*out = vcalendar_text(cal, &l, now,
	    prodid)) == NULL)
		rc = imip_err_set(err, IMIP_ENOMEM, "free/busy text");
	free(l.v);
	return rc;
}

int
imip_publish_text(char **out, struct imip_store *st,
    const struct imip_calendar *cal, int64_t now, int days,
    struct imip_err *err)
{
	return imip_fb_vcalendar(out, st, cal, now - 86400, now +
	    (int64_t)days * 86400, now, "-//imip-milter//free-busy//EN", err);
}

/* text into dir/name by a synced temporary file renamed over it. */
static int
replace_file(const char *dir, const char *name, const char *text,
    struct imip_err *err)
{
	char *tmp = NULL, *path = NULL;
	size_t len = strlen(text);
	int fd = -1, rc = IMIP_OK;

	if (asprintf(&path, "%s/%s", dir, name) < 0 || asprintf(&tmp,
	    "%s/.%s.XXXXXX", dir, name) < 0) {
		free(path);
		return imip_err_set(err, IMIP_ENOMEM, "file name");
	}
	if ((fd = mkstemp(tmp)) < 0)
		rc = imip_err_set(err, IMIP_ERR, "%s: %s", tmp,
		    strerror(errno));
	else if (write(fd, text, len) != (ssize_t)len || fsync(fd) < 0 ||
	    fchmod(fd, 0644) < 0)
		rc = imip_err_set(err, IMIP_ERR, "%s: %s", tmp,
		    strerror(errno));
	if (fd >= 0 && close(fd) < 0 && rc == IMIP_OK)
		rc = imip_err_set(err, IMIP_ERR, "%s: %s", tmp,
		    strerror(errno));
	if (rc == IMIP_OK && rename(tmp, path) < 0)
		rc = imip_err_set(err, IMIP_ERR, "%s: %s", path,
		    strerror(errno));
	if (rc < 0 && fd >= 0)
		unlink(tmp);
	free(tmp);
	free(path);
	return rc;
}

/* Does conf name a directory to publish in? */
static bool
publishing(const struct imip_conf *conf)
{
	return conf != NULL && conf->freebusy_dir != NULL &&
	    conf->freebusy_dir[0] != '\0';
}

/* The file name of address's free/busy: ADDRESS.vfb (caller frees). */
static int
file_name(char **out, const char *address, struct imip_err *err)
{
	*out = NULL;
	/* An address with a '/' cannot name a file in the directory. */
	if (strchr(address, '/') != NULL || address[0] == '.')
		return imip_err_set(err, IMIP_ERR, "%s: not a file name",
		    address);
	if (asprintf(out, "%s.vfb", address) < 0) {
		*out = NULL;
		return imip_err_set(err, IMIP_ENOMEM, "file name");
	}
	return IMIP_OK;
}

int
imip_publish_freebusy(struct imip_store *st, const struct imip_conf *conf,
    const struct imip_calendar *cal, int64_t now, struct imip_err *err)
{
	char *text = NULL, *name = NULL;
	int rc;

	if (!publishing(conf) || !cal->publish_freebusy)
		return IMIP_OK;
	if ((rc = file_name(&name, cal->address, err)) < 0)
		return rc;
	rc = imip_publish_text(&text, st, cal, now, conf->freebusy_days, err);
	if (rc == IMIP_OK)
		rc = replace_file(conf->freebusy_dir, name, text, err);
	free(text);
	free(name);
	return rc;
}

int
imip_publish_forget(const struct imip_conf *conf, const char *address,
    struct imip_err *err)
{
	char *name = NULL, *path = NULL;
	int rc;

	if (!publishing(conf))
		return IMIP_OK;
	if ((rc = file_name(&name, address, err)) < 0)
		return rc;
	if (asprintf(&path, "%s/%s", conf->freebusy_dir, name) < 0) {
		path = NULL;
		rc = imip_err_set(err, IMIP_ENOMEM, "file name");
	} else if (unlink(path) < 0 && errno != ENOENT)
		rc = imip_err_set(err, IMIP_ERR, "%s: %s", path,
		    strerror(errno));
	free(path);
	free(name);
	return rc;
}

/* Every calendar: published, the first failure kept, the rest tried. */
struct publish_all {
	struct imip_store	*st;
	const struct imip_conf	*conf;
	int64_t			 now;
	int			 n, rc;
	struct imip_err		*err;
};

static int
publish_one(const struct imip_calendar *cal, void *arg)
{
	struct publish_all *a = arg;
	struct imip_err why = { 0 };

	if (!cal->publish_freebusy)
		return 0;
	if (imip_publish_freebusy(a->st, a->conf, cal, a->now, &why) < 0) {
		if (a->rc == IMIP_OK) {
			*a->err = why;
			a->rc = why.code;
		}
	} else
		a->n++;
	return 0;
}

int
imip_publish_all(struct imip_store *st, const struct imip_conf *conf,
    int64_t now, int *n, struct imip_err *err)
{
	struct publish_all a = { .st = st, .conf = conf, .now = now,
	    .err = err };
	int rc;

	*n = 0;
	if (!publishing(conf))
		return IMIP_OK;
	rc = imip_store_calendar_foreach(st, publish_one, &a, err);
	*n = a.n;
	return rc < 0 ? rc : a.rc;
}
