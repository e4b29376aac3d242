// SPDX-License-Identifier: GPL-2.0-only
/*
 * vs_jsonget FILE [PATH...]: checks that FILE holds one well-formed JSON
 * document (exit 1 naming the byte offset otherwise) and prints the value
 * at each PATH, one per line: "a.b.0.c" walks objects by key and arrays by
 * index; "a.#" prints a container's length. Strings print unquoted,
 * containers as "{...}" / "[...]". A missing PATH exits 3.
 * Test helper: busybox has no JSON tool, and the guest tests need one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *doc, *err_at, *err_why;

static const char *ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
		p++;
	return p;
}

static const char *fail(const char *p, const char *why)
{
	if (!err_at) {
		err_at = p;
		err_why = why;
	}
	return NULL;
}

static const char *value(const char *p, int depth);

static const char *string(const char *p)
{
	if (*p != '"')
		return fail(p, "expected a string");
	for (p++; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return fail(p, "unterminated string or control character");
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return fail(p, "bad \\u escape");
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return fail(p, "bad escape");
			}
		}
	}
	return p + 1;
}

static const char *number(const char *p)
{
	const char *s = p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (isdigit((unsigned char)*p))
		while (isdigit((unsigned char)*p))
			p++;
	else
		return fail(s, "bad number");
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return fail(p, "bad fraction");
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return fail(p, "bad exponent");
		while (isdigit((unsigned char)*p))
			p++;
	}
	return p;
}

static const char *container(const char *p, int depth, char close)
{
	p = ws(p + 1);
	if (*p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (!(p = string(p)))
				return NULL;
			p = ws(p);
			if (*p != ':')
				return fail(p, "expected ':'");
			p = ws(p + 1);
		}
		if (!(p = value(p, depth + 1)))
			return NULL;
		p = ws(p);
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return fail(p, "expected ',' or the container's end");
		p = ws(p + 1);
	}
}

static const char *value(const char *p, int depth)
{
	if (depth > 64)
		return fail(p, "nested too deep");
	switch (*p) {
	case '{':
		return container(p, depth, '}');
	case '[':
		return container(p, depth, ']');
	case '"':
		return string(p);
	case 't':
		return strncmp(p, "true", 4) ? fail(p, "bad literal") : p + 4;
	case 'f':
		return strncmp(p, "false", 5) ? fail(p, "bad literal") : p + 5;
	case 'n':
		return strncmp(p, "null", 4) ? fail(p, "bad literal") : p + 4;
	default:
		return number(p);
	}
}

/* The member KEY (or element INDEX) of the container at p, or NULL. */
static const char *child(const char *p, const char *seg, size_t len)
{
	char close = *p == '{' ? '}' : ']';
	long want = -1, i = 0;

	if (close == ']') {
		char *end;

		want = strtol(seg, &end, 10);
		if (end != seg + len)
			return NULL;
	}
	p = ws(p + 1);
	while (*p != close) {
		if (close == '}') {
			const char *k = p + 1, *e = string(p);

			p = ws(ws(e) + 1);
			if ((size_t)(e - 1 - k) == len && !strncmp(k, seg, len))
				return p;
		} else if (i++ == want) {
			return p;
		}
		p = ws(value(p, 0));
		if (*p == ',')
			p = ws(p + 1);
	}
	return NULL;
}

static int print_path(const char *path)
{
	const char *p = ws(doc), *seg = path;

	while (*seg) {
		size_t len = strcspn(seg, ".");

		if (*p != '{' && *p != '[')
			return -1;
		if (len == 1 && *seg == '#' && !seg[1]) {
			long n = 0;
			char close = *p == '{' ? '}' : ']';

			for (p = ws(p + 1); *p != close; n++) {
				if (close == '}')
					p = ws(ws(string(p)) + 1);
				p = ws(value(p, 0));
				if (*p == ',')
					p = ws(p + 1);
			}
			printf("%ld\n", n);
			return 0;
		}
		if (!(p = child(p, seg, len)))
			return -1;
		seg += len + (seg[len] == '.');
	}
	if (*p == '{' || *p == '[')
		printf("%s\n", *p == '{' ? "{...}" : "[...]");
	else if (*p == '"')
		printf("%.*s\n", (int)(string(p) - p - 2), p + 1);
	else
		printf("%.*s\n", (int)(value(p, 0) - p), p);
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[16 << 20];
	const char *end;
	size_t n;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: vs_jsonget FILE [PATH...]\n");
		return 2;
	}
	f = strcmp(argv[1], "-") ? fopen(argv[1], "r") : stdin;
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	doc = buf;
	end = value(ws(doc), 0);
	if (end && *ws(end))
		end = fail(ws(end), "text after the document");
	if (!end || strlen(doc) != n) {
		if (!err_at)
			err_at = doc + strlen(doc), err_why = "NUL byte";
		fprintf(stderr, "vs_jsonget: %s: invalid JSON at byte %td: %s\n", argv[1],
			err_at - doc, err_why);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		if (print_path(argv[i])) {
			fprintf(stderr, "vs_jsonget: %s: no value at '%s'\n", argv[1], argv[i]);
			return 3;
		}
	}
	return 0;
}
