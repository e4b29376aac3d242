// SPDX-License-Identifier: GPL-2.0-only
#include "vs_opts.h"

#include <getopt.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "vsockscope";

void vs_set_prog(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0)
		prog = slash ? slash + 1 : argv0;
}

const char *vs_prog(void)
{
	return prog;
}

/* Decimal (or 0x hex, like the kernel's memparse) digits; no sign, no blanks. */
static int parse_digits(const char *s, uint64_t *out, const char **end,
			const char **why)
{
	unsigned long long v;
	const char *digits;
	bool hex;
	char *e;

	if (!s || !*s) {
		*why = "empty value";
		return -1;
	}
	if (!isdigit((unsigned char)*s)) {
		*why = "not a non-negative number";
		return -1;
	}
	/* base 10 or 16 only: strtoull's base 0 would read "010" as octal 8 */
	hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	if (hex && !isxdigit((unsigned char)s[2])) {
		*why = "not a number";
		return -1;
	}
	digits = hex ? s + 2 : s;
	errno = 0;
	v = strtoull(digits, &e, hex ? 16 : 10);
	if (errno == ERANGE) {
		*why = "too large";
		return -1;
	}
	/* strtoull would also take a second prefix: "0x0x10" */
	if ((size_t)(e - digits) != strspn(digits, hex ? "0123456789abcdefABCDEF"
						       : "0123456789")) {
		*why = "not a number";
		return -1;
	}
	*out = v;
	*end = e;
	return 0;
}

int vs_parse_size(const char *s, uint64_t *out, const char **why)
{
	static const char units[] = "KMGTPE";
	const char *end, *u;
	uint64_t v;
	int shift;

	if (parse_digits(s, &v, &end, why))
		return -1;
	if (!*end) {
		*out = v;
		return 0;
	}
	u = strchr(units, toupper((unsigned char)*end));
	if (!u || end[1]) {
		*why = "unknown suffix (use K, M, G or T, powers of 1024)";
		return -1;
	}
	shift = 10 * (int)(u - units + 1);
	if (v > (UINT64_MAX >> shift)) {
		*why = "too large";
		return -1;
	}
	*out = v << shift;
	return 0;
}

int vs_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out,
		  const char **why)
{
	const char *end;
	uint64_t v;

	if (parse_digits(s, &v, &end, why))
		return -1;
	if (*end) {
		*why = "not a whole number";
		return -1;
	}
	if (v < min || v > max) {
		*why = "out of range";
		return -1;
	}
	*out = v;
	return 0;
}

int vs_parse_seconds(const char *s, double *out, const char **why)
{
	double v, scale = 1.0;
	char *end;

	if (!s || !*s) {
		*why = "empty value";
		return -1;
	}
	if (!isdigit((unsigned char)*s) && *s != '.') {
		*why = "not a non-negative number of seconds";
		return -1;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE || !isfinite(v)) {
		*why = "too large";
		return -1;
	}
	if (!strcmp(end, "ms"))
		scale = 1e-3;
	else if (*end && strcmp(end, "s")) {
		*why = "not a number of seconds (suffix s or ms)";
		return -1;
	}
	*out = v * scale;
	return 0;
}

int vs_parse_cid(const char *s, uint32_t *out, const char **why)
{
	static const struct {
		const char *name;
		uint32_t cid;
	} names[] = {
		{ "any", UINT32_MAX }, { "hypervisor", 0 }, { "local", 1 }, { "host", 2 },
	};
	uint64_t v;

	for (size_t i = 0; s && i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(s, names[i].name)) {
			*out = names[i].cid;
			return 0;
		}
	}
	if (vs_parse_uint(s, 0, UINT32_MAX, &v, why))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", prog, kind);
	vfprintf(stderr, fmt, ap);
}

void vs_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, " (try '%s --help')\n", prog);
	exit(VS_EXIT_USAGE);
}

void vs_die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

void vs_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t vs_opt_size(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	const char *why;
	uint64_t v;

	if (vs_parse_size(arg, &v, &why))
		vs_usage_error("%s '%s': %s", opt, arg, why);
	if (v < min || v > max)
		vs_usage_error("%s '%s': out of range (%llu to %llu bytes)", opt, arg,
			       (unsigned long long)min, (unsigned long long)max);
	return v;
}

uint64_t vs_opt_uint(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	const char *why;
	uint64_t v;

	if (vs_parse_uint(arg, 0, UINT64_MAX, &v, &why))
		vs_usage_error("%s '%s': %s", opt, arg, why);
	if (v < min || v > max)
		vs_usage_error("%s '%s': out of range (%llu to %llu)", opt, arg,
			       (unsigned long long)min, (unsigned long long)max);
	return v;
}

double vs_opt_seconds(const char *opt, const char *arg, double min, double max)
{
	const char *why;
	double v;

	if (vs_parse_seconds(arg, &v, &why))
		vs_usage_error("%s '%s': %s", opt, arg, why);
	if (v < min || v > max)
		vs_usage_error("%s '%s': out of range (%g to %g seconds)", opt, arg,
			       min, max);
	return v;
}

double vs_opt_ms(const char *opt, const char *arg, double min, double max)
{
	size_t n = arg ? strlen(arg) : 0;
	const char *why;
	double v;

	/* a plain number counts milliseconds; with a unit ("s", "ms") it says its own */
	if (n && arg[n - 1] == 's') {
		if (vs_parse_seconds(arg, &v, &why))
			vs_usage_error("%s '%s': %s", opt, arg, why);
		v *= 1e3;
	} else if (vs_parse_seconds(arg, &v, &why)) {
		vs_usage_error("%s '%s': not a non-negative number of milliseconds", opt, arg);
	}
	if (v < min || v > max)
		vs_usage_error("%s '%s': out of range (%g to %g ms)", opt, arg, min, max);
	return v;
}

uint32_t vs_opt_cid(const char *opt, const char *arg)
{
	const char *why;
	uint32_t v;

	if (vs_parse_cid(arg, &v, &why))
		vs_usage_error("%s '%s': %s (a CID is 0 to 4294967295, or any, "
			       "hypervisor, local, host)", opt, arg, why);
	return v;
}

void vs_opt_bad(int opt, char **argv)
{
	if (opt == ':')
		vs_usage_error("%s needs a value", argv[optind - 1]);
	vs_usage_error("unknown option '%s'", argv[optind - 1]);
}

const char *vs_opt_name(const struct option *opts, int val)
{
	static char buf[48];

	for (const struct option *o = opts; o->name; o++)
		if (o->val == val) {
			snprintf(buf, sizeof(buf), "--%s", o->name);
			return buf;
		}
	return "?";
}
