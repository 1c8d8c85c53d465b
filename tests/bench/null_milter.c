/*
 * null_milter.c - the reference filter of the throughput benchmark.
 *
 *     null-milter -p SOCKET        (libmilter spelling: inet:PORT@HOST,
 *                                   unix:/path)
 *
 * Accepts everything and looks at nothing.  It registers the same
 * callbacks and the same flags (SMFIF_ADDHDRS | SMFIF_CHGHDRS) as
 * imip-milter, so libmilter negotiates the same protocol steps with the
 * MTA and the MTA sends it the same commands: connect, MAIL, RCPT, every
 * header, end of headers, the body, end of message, abort and close.
 *
 * Every callback answers SMFIS_CONTINUE, end of headers included.
 * imip-milter answers SMFIS_ACCEPT at end of headers for mail that is not
 * for it, which spares it and the MTA the body and end-of-message round
 * trips; this filter always takes the whole body.  For plain mail the
 * reference therefore does a little more milter work than imip-milter
 * does: the comparison is, if anything, slanted in imip-milter's favour
 * there (see tests/bench/README.md).
 *
 * It keeps no per-connection state and allocates nothing.  SIGTERM,
 * SIGINT and SIGHUP end smfi_main() (libmilter's own signal thread); the
 * exit can take libmilter a few seconds.  Not installed, not a test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

static sfsistat
nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *addr)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_envfrom(SMFICTX *ctx, char **argv)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_envrcpt(SMFICTX *ctx, char **argv)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_header(SMFICTX *ctx, char *name, char *value)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_eoh(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_body(SMFICTX *ctx, unsigned char *buf, size_t len)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_eom(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_abort(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_close(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

static struct smfiDesc nm_desc = {
	.xxfi_name = "null-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
	.xxfi_connect = nm_connect,
	.xxfi_envfrom = nm_envfrom,
	.xxfi_envrcpt = nm_envrcpt,
	.xxfi_header = nm_header,
	.xxfi_eoh = nm_eoh,
	.xxfi_body = nm_body,
	.xxfi_eom = nm_eom,
	.xxfi_abort = nm_abort,
	.xxfi_close = nm_close,
};

static void
usage(void)
{
	fprintf(stderr, "usage: null-milter -p SOCKET\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	int ch;

	while ((ch = getopt(argc, argv, "p:")) != -1) {
		switch (ch) {
		case 'p':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	if (sock == NULL || optind != argc)
		usage();
	if (smfi_setconn((char *)sock) != MI_SUCCESS ||
	    smfi_register(nm_desc) != MI_SUCCESS ||
	    smfi_opensocket(1) != MI_SUCCESS) {
		fprintf(stderr, "null-milter: cannot listen on %s\n", sock);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
