// SPDX-License-Identifier: GPL-2.0-only
#include "vs_ctl.h"
#include "vs_opts.h"
#include "vs_sock.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void vs_ctl_init(struct vs_ctl *c, int fd, int timeout_ms)
{
	c->fd = fd;
	c->timeout_ms = timeout_ms;
	c->len = 0;
}

int vs_ctl_vsend(struct vs_ctl *c, char *line, size_t cap, const char *fmt, va_list ap)
{
	char buf[VS_CTL_LINE_MAX + 2];	/* the line, its newline, a NUL */
	int n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	ssize_t w;

	if (line && cap)
		snprintf(line, cap, "%s", n < 0 ? "" : buf);
	/* as long as vs_ctl_recv() takes: VS_CTL_LINE_MAX before the newline */
	if (n < 0 || n > VS_CTL_LINE_MAX)
		return -EMSGSIZE;
	buf[n++] = '\n';
	w = vs_write_all(c->fd, buf, (size_t)n);
	return w < 0 ? (int)w : 0;
}

int vs_ctl_send(struct vs_ctl *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vs_ctl_vsend(c, NULL, 0, fmt, ap);
	va_end(ap);
	return r;
}

int vs_ctl_recv(struct vs_ctl *c, char *line, size_t cap)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->len);
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		ssize_t n;

		if (nl) {
			size_t l = (size_t)(nl - c->buf);

			if (l >= cap || l > VS_CTL_LINE_MAX)
				return -EMSGSIZE;
			if (memchr(c->buf, '\0', l))
				return -EBADMSG;
			memcpy(line, c->buf, l);
			line[l] = '\0';
			c->len -= l + 1;
			memmove(c->buf, nl + 1, c->len);
			return (int)l;
		}
		if (c->len > VS_CTL_LINE_MAX)
			return -EMSGSIZE;
		n = poll(&p, 1, c->timeout_ms);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -ETIMEDOUT;
		n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EPIPE;
		c->len += (size_t)n;
	}
}

int vs_ctl_is(const char *line, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(line, word, n) && (line[n] == '\0' || line[n] == ' ');
}

/* Where the value of " key=" starts in line, or NULL. */
static const char *find_value(const char *line, const char *key)
{
	size_t klen = strlen(key);

	for (const char *p = strchr(line, ' '); p; p = strchr(p + 1, ' ')) {
		if (!strncmp(p + 1, key, klen) && p[1 + klen] == '=')
			return p + 2 + klen;
	}
	return NULL;
}

int vs_ctl_get(const char *line, const char *key, char *out, size_t cap)
{
	const char *v = find_value(line, key);
	size_t vlen;

	if (!v)
		return -1;
	vlen = strcspn(v, " ");
	if (vlen >= cap)
		return -1;
	memcpy(out, v, vlen);
	out[vlen] = '\0';
	return 0;
}

int vs_ctl_get_u64(const char *line, const char *key, uint64_t *out)
{
	char v[32];
	const char *why;

	if (vs_ctl_get(line, key, v, sizeof(v)))
		return -1;
	return vs_parse_uint(v, 0, UINT64_MAX, out, &why);
}

int vs_ctl_get_rest(const char *line, const char *key, char *out, size_t cap)
{
	const char *v = find_value(line, key);
	size_t vlen;

	if (!v)
		return -1;
	vlen = strlen(v);
	if (vlen >= cap)
		return -1;
	memcpy(out, v, vlen + 1);
	return 0;
}

int vs_ctl_unread(struct vs_ctl *c, const char *line)
{
	size_t l = strlen(line);

	if (l > VS_CTL_LINE_MAX || c->len + l + 1 > sizeof(c->buf))
		return -EMSGSIZE;
	memmove(c->buf + l + 1, c->buf, c->len);
	memcpy(c->buf, line, l);
	c->buf[l] = '\n';
	c->len += l + 1;
	return 0;
}
