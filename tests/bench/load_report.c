/*
 * load_report.c - milter-load's result: the threads' counts summed, the
 * latencies sorted into percentiles, one JSON object on stdout.  No I/O
 * with the filter here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter_load.h"

static const char *const verdict_names[MW_NVERDICTS] = {
	[MW_CONTINUE] = "continue", [MW_ACCEPT] = "accept",
	[MW_REJECT] = "reject", [MW_TEMPFAIL] = "tempfail",
	[MW_DISCARD] = "discard", [MW_SKIP] = "skip",
};

static const char *const mod_names[MW_NMODS] = {
	[MW_MOD_ADDHDR] = "add_header", [MW_MOD_CHGHDR] = "change_header",
	[MW_MOD_RCPT] = "recipient", [MW_MOD_BODY] = "body",
	[MW_MOD_OTHER] = "other",
};

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The nearest-rank q-quantile of the sorted v[0..n); 0 when empty. */
static double
quantile(const double *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return 0;
	k = (size_t)(q * (double)n + 0.999999);
	return v[k > 0 ? k - 1 : 0];
}

/* Add the decision counts of t into sum. */
static void
add_decisions(struct tally *sum, const struct tally *t)
{
	size_t i, j;

	for (i = 0; i < t->ndec; i++) {
		for (j = 0; j < sum->ndec; j++)
			if (strcmp(sum->dec[j].word, t->dec[i].word) == 0)
				break;
		if (j == sum->ndec) {
			if (j == LOAD_MAX_DECISIONS)
				continue;
			memcpy(sum->dec[j].word, t->dec[i].word,
			    sizeof(sum->dec[j].word));
			sum->ndec++;
		}
		sum->dec[j].n += t->dec[i].n;
	}
}

/* Sum t into sum; the latencies are appended. */
static int
add_tally(struct tally *sum, const struct tally *t)
{
	double *p;

	sum->done += t->done;
	sum->errors += t->errors;
	sum->early_accept += t->early_accept;
	for (int i = 0; i < MW_NVERDICTS; i++)
		sum->verdicts[i] += t->verdicts[i];
	for (int i = 0; i < MW_NMODS; i++)
		sum->mods[i] += t->mods[i];
	add_decisions(sum, t);
	if (t->nlat == 0)
		return 0;
	if ((p = realloc(sum->lat, (sum->nlat + t->nlat) * sizeof(*p))) ==
	    NULL)
		return -1;
	sum->lat = p;
	memcpy(sum->lat + sum->nlat, t->lat, t->nlat * sizeof(*p));
	sum->nlat += t->nlat;
	return 0;
}

/* A word from the filter as a JSON string body (quotes, controls: ?). */
static void
print_word(const char *s)
{
	for (; *s != '\0'; s++)
		putchar(*s == '"' || *s == '\\' || (unsigned char)*s < ' ' ?
		    '?' : *s);
}

static void
print_counts(const struct tally *t)
{
	printf("  \"verdicts\": {");
	for (int i = 0; i < MW_NVERDICTS; i++)
		printf("%s\"%s\": %llu", i > 0 ? ", " : "", verdict_names[i],
		    (unsigned long long)t->verdicts[i]);
	printf("},\n  \"accepted_at_eoh\": %llu,\n  \"modifications\": {",
	    (unsigned long long)t->early_accept);
	for (int i = 0; i < MW_NMODS; i++)
		printf("%s\"%s\": %llu", i > 0 ? ", " : "", mod_names[i],
		    (unsigned long long)t->mods[i]);
	printf("},\n  \"decisions\": {");
	for (size_t i = 0; i < t->ndec; i++) {
		printf("%s\"", i > 0 ? ", " : "");
		print_word(t->dec[i].word);
		printf("\": %llu", (unsigned long long)t->dec[i].n);
	}
	printf("},\n");
}

static void
print_json(const struct tally *t, const struct shared *sh, double secs)
{
	const struct load_opts *o = sh->o;
	double sum = 0;

	for (size_t i = 0; i < t->nlat; i++)
		sum += t->lat[i];
	printf("{\n  \"messages\": %llu,\n  \"done\": %llu,\n"
	    "  \"errors\": %llu,\n  \"connections\": %u,\n"
	    "  \"per_connection\": %u,\n  \"seconds\": %.4f,\n"
	    "  \"per_s\": %.1f,\n", (unsigned long long)o->n,
	    (unsigned long long)t->done, (unsigned long long)t->errors,
	    o->conns, o->per_conn, secs,
	    secs > 0 ? (double)t->done / secs : 0.0);
	printf("  \"latency_ms\": {\"p50\": %.3f, \"p90\": %.3f, "
	    "\"p99\": %.3f, \"max\": %.3f, \"mean\": %.3f},\n",
	    quantile(t->lat, t->nlat, 0.50), quantile(t->lat, t->nlat, 0.90),
	    quantile(t->lat, t->nlat, 0.99), quantile(t->lat, t->nlat, 1.0),
	    t->nlat > 0 ? sum / (double)t->nlat : 0.0);
	print_counts(t);
	printf("  \"negotiated\": {\"actions\": \"%#x\", "
	    "\"protocol\": \"%#x\"}\n}\n", sh->actions, sh->proto);
}

/*
 * load_report - sum the workers' tallies into sum (which then owns the
 * merged latencies) and print the result as JSON on stdout
 */
int
load_report(struct tally *sum, struct worker *ws, const struct shared *sh,
    double secs)
{
	for (unsigned i = 0; i < sh->o->conns; i++)
		if (add_tally(sum, &ws[i].t) < 0) {
			fprintf(stderr, "milter-load: out of memory\n");
			return -1;
		}
	qsort(sum->lat, sum->nlat, sizeof(*sum->lat), cmp_double);
	print_json(sum, sh, secs);
	fflush(stdout);
	return 0;
}
