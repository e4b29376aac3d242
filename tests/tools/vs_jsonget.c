// SPDX-License-Identifier: GPL-2.0-only
/*
 * vs_jsonget FILE [PATH...]: checks that FILE holds one well-formed JSON
 * document (exit 1 naming the byte offset otherwise) and prints the value
 * at each PATH, one per line: "a.b.0.c" walks objects by key and arrays by
 * index; "a.#" prints a container's length. Strings print unquoted,
 * containers as "{...}" / "[...]". A missing PATH exits 3.
 * Test helper: busybox has no JSON tool, and the guest tests need one.
 * The parsing is src/lib/vs_jsonr.c.
 */
#include "vs_jsonr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int print_path(const char *doc, const char *path)
{
	size_t n = strlen(path);
	const char *p;

	if (n >= 1 && path[n - 1] == '#' && (n == 1 || path[n - 2] == '.')) {
		char *up = strndup(path, n > 1 ? n - 2 : 0);
		long len = -1;

		if (up && (p = vs_jsonr_at(doc, up)))
			len = vs_jsonr_len(p);
		free(up);
		if (len < 0)
			return -1;
		printf("%ld\n", len);
		return 0;
	}
	if (!(p = vs_jsonr_at(doc, path)))
		return -1;
	if (*p == '{' || *p == '[')
		printf("%s\n", *p == '{' ? "{...}" : "[...]");
	else if (*p == '"')
		printf("%.*s\n", (int)(vs_jsonr_end(p) - p - 2), p + 1);
	else
		printf("%.*s\n", (int)(vs_jsonr_end(p) - p), p);
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[16 << 20];
	const char *why;
	size_t n, off;
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
	if (vs_jsonr_check(buf, n, &off, &why)) {
		fprintf(stderr, "vs_jsonget: %s: invalid JSON at byte %zu: %s\n", argv[1], off, why);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		if (print_path(buf, argv[i])) {
			fprintf(stderr, "vs_jsonget: %s: no value at '%s'\n", argv[1], argv[i]);
			return 3;
		}
	}
	return 0;
}
