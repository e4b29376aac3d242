/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A tiny test framework. A test file defines cases with TEST(name) and
 * runs them from main() with RUN(name); main returns unit_exit().
 *
 *	TEST(adds) { CHECK_EQ_U64(1 + 1, 2); }
 *	int main(void) { RUN(adds); return unit_exit(); }
 *
 * Every case prints one line:
 *	ok - test_x.c: adds
 *	not ok - test_x.c: adds: line 12: 1 + 1 == 2: got 3, expected 2
 * A failed CHECK marks the case failed and the case goes on; a failed
 * REQUIRE also returns from the case. If several checks fail, the line
 * shows the first and "(+N more)"; every failure also goes to stderr.
 * The binary exits 1 when any case failed, else 0.
 */
#ifndef UNIT_H
#define UNIT_H

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *unit_case;		/* the case running */
static int unit_case_fails;		/* failed checks in it */
static char unit_first[512];		/* the first failure's message */
static int unit_failed_cases;

static inline const char *unit_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

__attribute__((format(printf, 3, 4)))
static inline void unit_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!unit_case_fails++)
		snprintf(unit_first, sizeof(unit_first), "line %d: %s", line, msg);
	fprintf(stderr, "# %s: %s: line %d: %s\n", unit_base(file), unit_case,
		line, msg);
}

static inline void unit_run(const char *file, const char *name, void (*fn)(void))
{
	unit_case = name;
	unit_case_fails = 0;
	fn();
	if (!unit_case_fails) {
		printf("ok - %s: %s\n", unit_base(file), name);
	} else {
		unit_failed_cases++;
		printf("not ok - %s: %s: %s", unit_base(file), name, unit_first);
		if (unit_case_fails > 1)
			printf(" (+%d more)", unit_case_fails - 1);
		putchar('\n');
	}
	/* flushed per case, so a fork() in a later case copies nothing */
	fflush(stdout);
	fflush(stderr);
}

static inline int unit_exit(void)
{
	return unit_failed_cases ? 1 : 0;
}

#define TEST(name) static void name(void)
#define RUN(name) unit_run(__FILE__, #name, name)

#define FAIL(...) unit_fail(__FILE__, __LINE__, __VA_ARGS__)

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			FAIL("%s: is false", #cond);			\
	} while (0)

/* Like CHECK, but a failure also ends the case (use before a dereference). */
#define REQUIRE(cond)							\
	do {								\
		if (!(cond)) {						\
			FAIL("%s: is false (required)", #cond);		\
			return;						\
		}							\
	} while (0)

/* Actual first, expected second. */
#define CHECK_EQ_U64(a, b)						\
	do {								\
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);	\
		if (a_ != b_)						\
			FAIL("%s == %s: got %" PRIu64 ", expected %" PRIu64, \
			     #a, #b, a_, b_);				\
	} while (0)

#define CHECK_EQ_INT(a, b)						\
	do {								\
		long long a_ = (long long)(a), b_ = (long long)(b);	\
		if (a_ != b_)						\
			FAIL("%s == %s: got %lld, expected %lld",	\
			     #a, #b, a_, b_);				\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (!a_ || !b_ || strcmp(a_, b_))			\
			FAIL("%s == %s: got \"%s\", expected \"%s\"",	\
			     #a, #b, a_ ? a_ : "(null)",		\
			     b_ ? b_ : "(null)");			\
	} while (0)

/* a_ within tol of b_ (a NaN never is). */
#define CHECK_DBL(a, b, tol)						\
	do {								\
		double a_ = (a), b_ = (b);				\
		if (!(fabs(a_ - b_) <= (tol)))				\
			FAIL("%s == %s (+-%g): got %.17g, expected %.17g", \
			     #a, #b, (double)(tol), a_, b_);		\
	} while (0)

#endif
