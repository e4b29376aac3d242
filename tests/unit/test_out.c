// SPDX-License-Identifier: GPL-2.0-only
/* The streaming JSON writer and vs_fmt_bytes. */
#include "unit.h"
#include "vs_out.h"

#include <stdlib.h>

/* A JSON writer into memory: start, write, then done() returns the text. */
static char *mem_buf;
static size_t mem_len;
static FILE *mem_f;

static void start(struct vs_json *j, bool pretty)
{
	free(mem_buf);
	mem_buf = NULL;
	mem_f = open_memstream(&mem_buf, &mem_len);
	vs_json_init(j, mem_f, pretty);
}

/* vs_json_finish's result in *rc; the text written, owned by this file. */
static const char *done(struct vs_json *j, int *rc)
{
	*rc = vs_json_finish(j);
	fclose(mem_f);
	mem_f = NULL;
	return mem_buf;
}

/* The document used for both layouts. */
static void write_doc(struct vs_json *j)
{
	vs_json_obj_begin(j, NULL);
	vs_json_u64(j, "a", 1);
	vs_json_arr_begin(j, "b");
	vs_json_u64(j, NULL, 1);
	vs_json_u64(j, NULL, 2);
	vs_json_obj_begin(j, NULL);
	vs_json_str(j, "c", "x");
	vs_json_obj_end(j);
	vs_json_arr_end(j);
	vs_json_obj_begin(j, "d");
	vs_json_obj_end(j);
	vs_json_arr_begin(j, "e");
	vs_json_arr_end(j);
	vs_json_bool(j, "f", true);
	vs_json_bool(j, "g", false);
	vs_json_null(j, "h");
	vs_json_i64(j, "i", -5);
	vs_json_double(j, "k", 1.5);
	vs_json_obj_end(j);
}

TEST(compact_nested)
{
	struct vs_json j;
	int rc;

	start(&j, false);
	write_doc(&j);
	CHECK_STR(done(&j, &rc), "{\"a\":1,\"b\":[1,2,{\"c\":\"x\"}],\"d\":{},\"e\":[],"
		  "\"f\":true,\"g\":false,\"h\":null,\"i\":-5,\"k\":1.5}\n");
	CHECK_EQ_INT(rc, 0);
}

TEST(pretty_nested)
{
	struct vs_json j;
	int rc;

	start(&j, true);
	write_doc(&j);
	CHECK_STR(done(&j, &rc),
		  "{\n"
		  "  \"a\": 1,\n"
		  "  \"b\": [\n"
		  "    1,\n"
		  "    2,\n"
		  "    {\n"
		  "      \"c\": \"x\"\n"
		  "    }\n"
		  "  ],\n"
		  "  \"d\": {},\n"
		  "  \"e\": [],\n"
		  "  \"f\": true,\n"
		  "  \"g\": false,\n"
		  "  \"h\": null,\n"
		  "  \"i\": -5,\n"
		  "  \"k\": 1.5\n"
		  "}\n");
	CHECK_EQ_INT(rc, 0);
}

TEST(empty_containers)
{
	struct vs_json j;
	int rc;

	start(&j, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_obj_end(&j);
	CHECK_STR(done(&j, &rc), "{}\n");
	CHECK_EQ_INT(rc, 0);

	start(&j, true);
	vs_json_arr_begin(&j, NULL);
	vs_json_arr_end(&j);
	CHECK_STR(done(&j, &rc), "[]\n");
	CHECK_EQ_INT(rc, 0);

	start(&j, false);	/* a scalar is a document too */
	vs_json_u64(&j, NULL, 7);
	CHECK_STR(done(&j, &rc), "7\n");
	CHECK_EQ_INT(rc, 0);
}

TEST(string_escaping)
{
	struct vs_json j;
	int rc;

	start(&j, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_str(&j, "s", "q\"b\\n\nt\tr\rc\x01" "d\x1f" "e\x7f" "\xc3\xa9/");
	vs_json_str(&j, "k\"\n", "v");
	vs_json_str(&j, "n", NULL);
	vs_json_str(&j, "e", "");
	vs_json_obj_end(&j);
	CHECK_STR(done(&j, &rc),
		  "{\"s\":\"q\\\"b\\\\n\\nt\\tr\\rc\\u0001d\\u001fe\x7f\xc3\xa9/\","
		  "\"k\\\"\\n\":\"v\",\"n\":null,\"e\":\"\"}\n");
	CHECK_EQ_INT(rc, 0);
}

TEST(numbers)
{
	struct vs_json j;
	int rc;

	start(&j, false);
	vs_json_arr_begin(&j, NULL);
	vs_json_u64(&j, NULL, UINT64_MAX);
	vs_json_u64(&j, NULL, 0);
	vs_json_i64(&j, NULL, INT64_MIN);
	vs_json_i64(&j, NULL, -1);
	vs_json_double(&j, NULL, NAN);
	vs_json_double(&j, NULL, INFINITY);
	vs_json_double(&j, NULL, -INFINITY);
	vs_json_double(&j, NULL, 0.25);
	vs_json_double(&j, NULL, -2);
	vs_json_double(&j, NULL, 0.1);
	vs_json_arr_end(&j);
	CHECK_STR(done(&j, &rc),
		  "[18446744073709551615,0,-9223372036854775808,-1,null,null,null,"
		  "0.25,-2,0.10000000000000001]\n");
	CHECK_EQ_INT(rc, 0);
}

/* Each misuse makes vs_json_finish() fail; out is what must have been written. */
static void expect_misuse(int line, const char *what, struct vs_json *j, const char *out)
{
	int rc;
	const char *got = done(j, &rc);

	if (rc != -1)
		unit_fail(__FILE__, line, "%s: vs_json_finish returned %d, expected -1", what, rc);
	if (out && (!got || strcmp(got, out)))
		unit_fail(__FILE__, line, "%s: wrote \"%s\", expected \"%s\"", what,
			  got ? got : "(null)", out);
}

TEST(misuse)
{
	struct vs_json j;

	start(&j, false);
	vs_json_arr_begin(&j, NULL);
	vs_json_u64(&j, NULL, 1);
	vs_json_u64(&j, "key", 2);	/* key inside an array */
	vs_json_u64(&j, NULL, 3);	/* nothing more is written */
	vs_json_arr_end(&j);
	expect_misuse(__LINE__, "key inside array", &j, "[1\n");

	start(&j, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_u64(&j, NULL, 1);	/* no key inside an object */
	vs_json_obj_end(&j);
	expect_misuse(__LINE__, "missing key", &j, "{\n");

	start(&j, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_arr_begin(&j, NULL);
	vs_json_obj_end(&j);
	expect_misuse(__LINE__, "object begun without key", &j, "{\n");

	start(&j, false);
	vs_json_obj_end(&j);
	expect_misuse(__LINE__, "end without begin", &j, "\n");

	start(&j, false);
	vs_json_arr_end(&j);
	expect_misuse(__LINE__, "array end without begin", &j, "\n");

	start(&j, false);
	vs_json_arr_begin(&j, NULL);
	vs_json_obj_end(&j);
	expect_misuse(__LINE__, "mismatched end", &j, "[\n");

	start(&j, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_obj_end(&j);
	vs_json_obj_begin(&j, NULL);
	vs_json_obj_end(&j);
	expect_misuse(__LINE__, "two top-level values", &j, "{}\n");

	start(&j, false);
	vs_json_u64(&j, "k", 1);
	expect_misuse(__LINE__, "key at top level", &j, "\n");

	start(&j, false);
	vs_json_obj_begin(&j, NULL);
	vs_json_u64(&j, "a", 1);
	expect_misuse(__LINE__, "unclosed document", &j, "{\"a\":1\n");

	start(&j, false);
	expect_misuse(__LINE__, "empty document", &j, "\n");

	start(&j, false);	/* too deep: an error, not an overflow */
	for (int i = 0; i < VS_JSON_MAX_DEPTH + 8; i++)
		vs_json_arr_begin(&j, NULL);
	for (int i = 0; i < VS_JSON_MAX_DEPTH + 8; i++)
		vs_json_arr_end(&j);
	expect_misuse(__LINE__, "too deep", &j, NULL);
}

TEST(deep_but_allowed)
{
	struct vs_json j;
	char want[64];
	int rc, n = 20;

	start(&j, false);
	for (int i = 0; i < n; i++)
		vs_json_arr_begin(&j, NULL);
	for (int i = 0; i < n; i++)
		vs_json_arr_end(&j);
	memset(want, '[', (size_t)n);
	memset(want + n, ']', (size_t)n);
	strcpy(want + 2 * n, "\n");
	CHECK_STR(done(&j, &rc), want);
	CHECK_EQ_INT(rc, 0);
}

TEST(fmt_bytes)
{
	static const struct {
		uint64_t v;
		const char *s;
	} t[] = {
		{ 0, "0 B" }, { 1, "1 B" }, { 1023, "1023 B" }, { 1024, "1.00 KiB" },
		{ 1536, "1.50 KiB" }, { 256ULL << 20, "256.00 MiB" },
		{ 3ULL << 30, "3.00 GiB" }, { 1ULL << 40, "1.00 TiB" },
		{ 1ULL << 50, "1.00 PiB" }, { 1ULL << 60, "1.00 EiB" },
		{ UINT64_MAX, "16.00 EiB" },
	};
	char buf[32], small[4];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_STR(vs_fmt_bytes(buf, sizeof(buf), t[i].v), t[i].s);
	CHECK(vs_fmt_bytes(small, sizeof(small), 1536) == small);
	CHECK_STR(small, "1.5");	/* truncated, still terminated */
}

int main(void)
{
	RUN(compact_nested);
	RUN(pretty_nested);
	RUN(empty_containers);
	RUN(string_escaping);
	RUN(numbers);
	RUN(misuse);
	RUN(deep_but_allowed);
	RUN(fmt_bytes);
	free(mem_buf);
	return unit_exit();
}
