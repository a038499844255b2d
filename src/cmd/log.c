/*
 * log: what stderr becomes under systemd and --quiet. When stderr is the
 * journal (JOURNAL_STREAM is "DEV:INODE" of stderr, the sd-daemon
 * convention), every line gets the syslog priority prefix journald reads:
 * <3> error, <4> warning, <6> notes and everything else. With --quiet, notes
 * and information lines are dropped (warnings and errors stay) and stdout is
 * silenced. A line's level is its first "error: ", "warning: " or "note: "
 * token (at the start or after ": ", as diag_print_one and the commands
 * write them); a line without one (a hint, "nothing was changed") continues
 * the level of the line before it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "util/strbuf.h"

struct line_log {
	bool journal;
	bool quiet;
	int level;            /* of the last line: 3, 4 or 6 */
	struct strbuf line;   /* the current line, without its newline */
};

static struct line_log g_log = { .level = 6 };

bool log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	char end;
	struct stat st;
	if (!js || sscanf(js, "%llu:%llu%c", &dev, &ino, &end) != 2 || fstat(STDERR_FILENO, &st))
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

/* 3, 4 or 6 when p starts with a level token, else -1. */
static int token_at(const char *p)
{
	static const struct {
		const char *tok;
		int level;
	} toks[] = { { "error: ", 3 }, { "warning: ", 4 }, { "note: ", 6 } };
	for (size_t i = 0; i < sizeof(toks) / sizeof(toks[0]); i++)
		if (!strncmp(p, toks[i].tok, strlen(toks[i].tok)))
			return toks[i].level;
	return -1;
}

/* The level of a line: its first token at the start or after ": "; -1 without one. */
static int line_level(const char *s)
{
	int lv = token_at(s);
	for (const char *p = strstr(s, ": "); lv < 0 && p; p = strstr(p + 2, ": "))
		lv = token_at(p + 2);
	return lv;
}

static void emit(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(STDERR_FILENO, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* One whole line (with or without its newline) to fd 2, prefixed and filtered. */
static void flush_line(struct line_log *l, bool newline)
{
	int lv = line_level(l->line.buf ? l->line.buf : "");
	if (lv > 0)
		l->level = lv;
	if (!(l->quiet && l->level == 6)) {
		struct strbuf out = STRBUF_INIT;
		if (l->journal)
			sb_addf(&out, "<%d>", l->level);
		sb_addf(&out, "%s%s", l->line.buf ? l->line.buf : "", newline ? "\n" : "");
		emit(out.buf, out.len);
		sb_release(&out);
	}
	sb_release(&l->line);
	l->line = (struct strbuf)STRBUF_INIT;
}

static ssize_t log_write(void *cookie, const char *buf, size_t size)
{
	struct line_log *l = cookie;
	for (size_t i = 0; i < size; i++) {
		if (buf[i] == '\n')
			flush_line(l, true);
		else
			sb_addf(&l->line, "%c", buf[i]);
	}
	return (ssize_t)size;
}

static int log_close(void *cookie)
{
	struct line_log *l = cookie;
	if (l->line.len)
		flush_line(l, false);
	sb_release(&l->line);
	return 0;
}

static void log_atexit(void)
{
	fflush(stderr);
	log_close(&g_log);
}

int log_setup(bool quiet)
{
	g_log.journal = log_stderr_is_journal();
	g_log.quiet = quiet;
	if (!g_log.journal && !quiet)
		return 0;
	if (quiet && !freopen("/dev/null", "w", stdout))
		return -1;
	cookie_io_functions_t io = { .write = log_write, .close = log_close };
	FILE *f = fopencookie(&g_log, "w", io);
	if (!f)
		return -1;
	setvbuf(f, NULL, _IONBF, 0);
	stderr = f;
	atexit(log_atexit);
	return 0;
}
