// SPDX-License-Identifier: GPL-2.0-only
#include "vs_jsonr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The parser returns one past the value it read, or NULL after fail(). */
struct parse {
	const char *err_at, *why;
};

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static const char *fail(struct parse *ps, const char *p, const char *why)
{
	if (ps && !ps->err_at) {
		ps->err_at = p;
		ps->why = why;
	}
	return NULL;
}

static const char *value(struct parse *ps, const char *p, int depth);

static const char *string(struct parse *ps, const char *p)
{
	if (*p != '"')
		return fail(ps, p, "expected a string");
	for (p++; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return fail(ps, p, "unterminated string or control character");
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return fail(ps, p, "bad \\u escape");
				p += 4;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return fail(ps, p, "bad escape");
			}
		}
	}
	return p + 1;
}

static const char *digits(const char *p)
{
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

static const char *number(struct parse *ps, const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (isdigit((unsigned char)*p))
		p = digits(p);
	else
		return fail(ps, s, "bad number");
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return fail(ps, p, "bad fraction");
		p = digits(p);
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return fail(ps, p, "bad exponent");
		p = digits(p);
	}
	return p;
}

static const char *container(struct parse *ps, const char *p, int depth, char close)
{
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (!(p = string(ps, p)))
				return NULL;
			p = ws(p);
			if (*p != ':')
				return fail(ps, p, "expected ':'");
			p = ws(p + 1);
		}
		if (!(p = value(ps, p, depth + 1)))
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return fail(ps, p, "expected ',' or the container's end");
		p = ws(p + 1);
	}
}

static const char *literal(struct parse *ps, const char *p, const char *word)
{
	size_t n = strlen(word);

	return strncmp(p, word, n) ? fail(ps, p, "bad literal") : p + n;
}

static const char *value(struct parse *ps, const char *p, int depth)
{
	if (depth > 64)
		return fail(ps, p, "nested too deep");
	switch (*p) {
	case '{':
		return container(ps, p, depth, '}');
	case '[':
		return container(ps, p, depth, ']');
	case '"':
		return string(ps, p);
	case 't':
		return literal(ps, p, "true");
	case 'f':
		return literal(ps, p, "false");
	case 'n':
		return literal(ps, p, "null");
	default:
		return number(ps, p);
	}
}

int vs_jsonr_check(const char *doc, size_t n, size_t *err_off, const char **why)
{
	struct parse ps = { 0 };
	const char *end = value(&ps, ws(doc), 0);

	if (end && *ws(end))
		end = fail(&ps, ws(end), "text after the document");
	if (end && strlen(doc) != n)
		end = fail(&ps, doc + strlen(doc), "NUL byte");
	if (end)
		return 0;
	*err_off = (size_t)(ps.err_at - doc);
	*why = ps.why;
	return -1;
}

const char *vs_jsonr_end(const char *v)
{
	return value(NULL, v, 0);
}

/* Steps over one member (key and value) or element at p, and the comma after it. */
static const char *next(const char *p, char close)
{
	if (close == '}')
		p = ws(ws(string(NULL, p)) + 1);
	p = ws(value(NULL, p, 0));
	return *p == ',' ? ws(p + 1) : p;
}

long vs_jsonr_len(const char *v)
{
	char close;
	long n = 0;

	v = ws(v);
	if (*v != '{' && *v != '[')
		return -1;
	close = *v == '{' ? '}' : ']';
	for (v = ws(v + 1); *v != close; v = next(v, close))
		n++;
	return n;
}

/* The member key (or element index) of the container at p, or NULL. */
static const char *child(const char *p, const char *seg, size_t len)
{
	char close = *p == '{' ? '}' : ']';
	long want = -1, i = 0;

	if (close == ']') {
		char *end;

		want = strtol(seg, &end, 10);
		if (end != seg + len || len == 0)
			return NULL;
	}
	for (p = ws(p + 1); *p != close; p = next(p, close)) {
		if (close == '}') {
			const char *k = p + 1, *e = string(NULL, p);

			if ((size_t)(e - 1 - k) == len && !strncmp(k, seg, len))
				return ws(ws(e) + 1);
		} else if (i++ == want) {
			return p;
		}
	}
	return NULL;
}

const char *vs_jsonr_at(const char *v, const char *path)
{
	const char *p, *seg = path;

	if (!v)
		return NULL;
	p = ws(v);
	while (*seg) {
		size_t len = strcspn(seg, ".");

		if (*p != '{' && *p != '[')
			return NULL;
		if (!(p = child(p, seg, len)))
			return NULL;
		seg += len + (seg[len] == '.');
	}
	return p;
}

const char *vs_jsonr_elem(const char *v, long i)
{
	char close;

	if (!v)
		return NULL;
	v = ws(v);
	if ((*v != '{' && *v != '[') || i < 0)
		return NULL;
	close = *v == '{' ? '}' : ']';
	for (v = ws(v + 1); *v != close; v = next(v, close))
		if (i-- == 0)
			return close == '}' ? ws(ws(string(NULL, v)) + 1) : v;
	return NULL;
}

int vs_jsonr_num(const char *v, const char *path, double *out)
{
	const char *p = vs_jsonr_at(v, path);
	char *end;

	if (!p || !(*p == '-' || isdigit((unsigned char)*p)))
		return -1;
	*out = strtod(p, &end);
	return end == p ? -1 : 0;
}

int vs_jsonr_str(const char *v, const char *path, char *buf, size_t cap)
{
	const char *p = vs_jsonr_at(v, path);
	size_t n;

	if (!p || *p != '"')
		return -1;
	n = (size_t)(string(NULL, p) - p - 2);
	if (n + 1 > cap)
		return -1;
	memcpy(buf, p + 1, n);
	buf[n] = '\0';
	return 0;
}
