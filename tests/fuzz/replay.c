// SPDX-License-Identifier: GPL-2.0-only
/*
 * Replays fuzz inputs without libFuzzer: linked with a tests/fuzz/fuzz_NAME.c
 * as build/tests/test_fuzz_NAME. With file arguments it runs those; without,
 * every file of tests/fuzz/corpus/NAME/ (the corpus and the regression inputs
 * of crashes once found), so make check keeps them fixed. Run from the repo
 * root, as tests/run does. A crash or sanitizer report ends the process.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			uint8_t *b = realloc(buf, cap = cap ? 2 * cap : 4096);

			if (!b) {
				fclose(f);
				free(buf);
				return -1;
			}
			buf = b;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
	} while (got);
	fclose(f);
	/* an exact-size copy, so ASan sees reads past the input's end */
	{
		uint8_t *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		memcpy(exact, buf, len);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/'), *name;
	char dir[512], path[1024];
	struct dirent *e;
	int n = 0, bad = 0;
	DIR *d;

	base = base ? base + 1 : argv[0];
	name = strncmp(base, "test_fuzz_", 10) ? base : base + 10;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			bad |= run_file(argv[i]) != 0;
		printf("%s - fuzz_%s: %d inputs replayed\n", bad ? "not ok" : "ok", name, argc - 1);
		return bad;
	}
	snprintf(dir, sizeof(dir), "%s/%s", FUZZ_CORPUS_ROOT, name);
	d = opendir(dir);
	if (!d) {
		printf("not ok - fuzz_%s: no corpus directory %s (run from the repo root)\n", name, dir);
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		bad |= run_file(path) != 0;
		n++;
	}
	closedir(d);
	/* an empty input is always worth one run */
	LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
	printf("%s - fuzz_%s: %d corpus inputs replayed\n", bad || !n ? "not ok" : "ok", name, n);
	return bad || !n;
}
