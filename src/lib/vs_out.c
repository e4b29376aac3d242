// SPDX-License-Identifier: GPL-2.0-only
#include "vs_out.h"
#include "vs_clock.h"

#include <math.h>
#include <string.h>

void vs_json_init(struct vs_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
	j->first[0] = true;
}

static void indent(struct vs_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

/* Separator, indentation and key of the next member; false on misuse. */
static bool member(struct vs_json *j, const char *key)
{
	bool in_obj = j->depth > 0 && !j->is_array[j->depth];

	if (j->error || (in_obj != (key != NULL)) ||
	    (j->depth == 0 && !j->first[0])) {
		j->error = true;
		return false;
	}
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (j->depth > 0)
		indent(j);
	if (key) {
		put_string(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
	return true;
}

static void json_open(struct vs_json *j, const char *key, bool array)
{
	if (j->depth + 1 >= VS_JSON_MAX_DEPTH) {
		j->error = true;
		return;
	}
	if (!member(j, key))
		return;
	fputc(array ? '[' : '{', j->f);
	j->depth++;
	j->first[j->depth] = true;
	j->is_array[j->depth] = array;
}

static void json_close(struct vs_json *j, bool array)
{
	bool empty;

	if (j->error || j->depth == 0 || j->is_array[j->depth] != array) {
		j->error = true;
		return;
	}
	empty = j->first[j->depth];
	j->depth--;
	if (!empty)
		indent(j);
	fputc(array ? ']' : '}', j->f);
}

void vs_json_obj_begin(struct vs_json *j, const char *key)
{
	json_open(j, key, false);
}

void vs_json_obj_end(struct vs_json *j)
{
	json_close(j, false);
}

void vs_json_arr_begin(struct vs_json *j, const char *key)
{
	json_open(j, key, true);
}

void vs_json_arr_end(struct vs_json *j)
{
	json_close(j, true);
}

void vs_json_str(struct vs_json *j, const char *key, const char *val)
{
	if (!member(j, key))
		return;
	if (val)
		put_string(j->f, val);
	else
		fputs("null", j->f);
}

void vs_json_u64(struct vs_json *j, const char *key, uint64_t val)
{
	if (member(j, key))
		fprintf(j->f, "%llu", (unsigned long long)val);
}

void vs_json_i64(struct vs_json *j, const char *key, int64_t val)
{
	if (member(j, key))
		fprintf(j->f, "%lld", (long long)val);
}

void vs_json_double(struct vs_json *j, const char *key, double val)
{
	if (!member(j, key))
		return;
	if (isfinite(val))
		fprintf(j->f, "%.17g", val);
	else
		fputs("null", j->f);
}

void vs_json_bool(struct vs_json *j, const char *key, bool val)
{
	if (member(j, key))
		fputs(val ? "true" : "false", j->f);
}

void vs_json_null(struct vs_json *j, const char *key)
{
	if (member(j, key))
		fputs("null", j->f);
}

int vs_json_finish(struct vs_json *j)
{
	if (j->depth != 0 || j->first[0])
		j->error = true;
	fputc('\n', j->f);
	fflush(j->f);
	return j->error ? -1 : 0;
}

char *vs_fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int u = -1;

	while (v >= 1024.0 && u < 5) {
		v /= 1024.0;
		u++;
	}
	if (u < 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, len, "%.2f %s", v, units[u]);
	return buf;
}

void vs_interval_line(FILE *f, const char *id, double a, double b, uint64_t bytes,
		      const char *dir)
{
	char tr[32];

	fprintf(f, "[%3s] %6.2f-%-6.2f sec  %-13s  %7.3f Gbits/s   %s\n", id, a, b,
		vs_fmt_bytes(tr, sizeof(tr), bytes), vs_gbps(bytes, (uint64_t)((b - a) * 1e9)), dir);
}

void vs_print_cpu(FILE *f, const char *prefix, const struct vs_cpu *c, uint64_t bytes)
{
	fprintf(f, "%scpu: user %.3f sec, sys %.3f sec, %.1f usec/MB\n", prefix,
		(double)c->user_us / 1e6, (double)c->sys_us / 1e6, vs_cpu_us_per_mb(c, bytes));
}

void vs_json_cpu(struct vs_json *j, const char *key, const struct vs_cpu *c, uint64_t bytes)
{
	vs_json_obj_begin(j, key);
	vs_json_double(j, "user_sec", (double)c->user_us / 1e6);
	vs_json_double(j, "sys_sec", (double)c->sys_us / 1e6);
	vs_json_double(j, "usec_per_mb", vs_cpu_us_per_mb(c, bytes));
	vs_json_obj_end(j);
}
