/*
 * sendmail_sink.c - stands in for sendmail(1) as imip-milter's
 * sendmail_path in the protocol benchmark (tests/bench/protocol.py).
 *
 *     sendmail-sink [ignored arguments] < message
 *
 * Reads the message to its end, throws it away and exits 0, so the
 * filter's outbox thread does all its own work (spawn, write, wait, mark
 * the reply sent) but no MTA is measured.  Not installed, not a test.
 */
#include <errno.h>
#include <unistd.h>

int
main(void)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(STDIN_FILENO, buf, sizeof(buf))) != 0)
		if (n < 0 && errno != EINTR)
			return 1;
	return 0;
}
