// SPDX-License-Identifier: GPL-2.0-only
/* Command-line value parsing and the option helpers that exit 2. */
#include "unit.h"
#include "vs_opts.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

TEST(size_valid)
{
	static const struct {
		const char *s;
		uint64_t v;
	} t[] = {
		{ "0", 0 }, { "1", 1 }, { "64K", 64 * KiB }, { "64k", 64 * KiB },
		{ "1M", MiB }, { "1G", GiB }, { "1g", GiB }, { "2T", 2 * TiB },
		{ "1P", 1024 * TiB }, { "15E", 15ULL << 60 }, { "0x10", 16 },
		{ "0X1f", 31 }, { "0x10K", 16 * KiB }, { "010", 10 }, { "08", 8 },
		{ "18446744073709551615", UINT64_MAX },
		{ "16777215T", 16777215ULL * TiB },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		uint64_t v = 12345;
		const char *why = NULL;
		int rc = vs_parse_size(t[i].s, &v, &why);

		if (rc != 0)
			FAIL("vs_parse_size(\"%s\") failed: %s", t[i].s, why ? why : "?");
		else if (v != t[i].v)
			FAIL("vs_parse_size(\"%s\"): got %" PRIu64 ", expected %" PRIu64,
			     t[i].s, v, t[i].v);
	}
}

/* Each must fail, set *why and leave *out alone. */
static void expect_size_error(int line, const char *s)
{
	uint64_t v = 777;
	const char *why = NULL;
	int rc = vs_parse_size(s, &v, &why);

	if (rc != -1 || !why || !*why || v != 777)
		unit_fail(__FILE__, line, "vs_parse_size(\"%s\"): rc %d, why %s, value %" PRIu64
			  "; expected rc -1, a reason, value untouched",
			  s, rc, why ? why : "(null)", v);
}

TEST(size_overflow)
{
	expect_size_error(__LINE__, "16E");
	expect_size_error(__LINE__, "17179869184G");
	expect_size_error(__LINE__, "16777216T");
	expect_size_error(__LINE__, "99999999999999999999");
	expect_size_error(__LINE__, "18446744073709551616");
	expect_size_error(__LINE__, "0x10000000000000000");
}

TEST(size_malformed)
{
	static const char *const bad[] = {
		"12Q", "1KB", "1Ki", "", "-1", "+1", " 1", "1 ", "1.5M", "K",
		"0x", "0xK", "0x-1", "0x0x10", "0x+1", "0x 1", "1e3", "abc",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_size_error(__LINE__, bad[i]);
	expect_size_error(__LINE__, NULL);
}

TEST(uint_ranges)
{
	uint64_t v;
	const char *why = NULL;

	CHECK_EQ_INT(vs_parse_uint("65535", 1, 65535, &v, &why), 0);
	CHECK_EQ_U64(v, 65535);
	CHECK_EQ_INT(vs_parse_uint("1", 1, 65535, &v, &why), 0);
	CHECK_EQ_U64(v, 1);
	CHECK_EQ_INT(vs_parse_uint("0", 0, 65535, &v, &why), 0);
	CHECK_EQ_U64(v, 0);
	CHECK_EQ_INT(vs_parse_uint("0x10", 0, 65535, &v, &why), 0);
	CHECK_EQ_U64(v, 16);
	CHECK_EQ_INT(vs_parse_uint("010", 0, 65535, &v, &why), 0);
	CHECK_EQ_U64(v, 10);
	CHECK_EQ_INT(vs_parse_uint("18446744073709551615", 0, UINT64_MAX, &v, &why), 0);
	CHECK_EQ_U64(v, UINT64_MAX);

	v = 5;
	why = NULL;
	CHECK_EQ_INT(vs_parse_uint("70000", 1, 65535, &v, &why), -1);
	CHECK_STR(why, "out of range");
	CHECK_EQ_U64(v, 5);
	why = NULL;
	CHECK_EQ_INT(vs_parse_uint("65536", 1, 65535, &v, &why), -1);
	CHECK_STR(why, "out of range");
	why = NULL;
	CHECK_EQ_INT(vs_parse_uint("0", 1, 65535, &v, &why), -1);
	CHECK_STR(why, "out of range");

	static const char *const bad[] = { "", "-1", " 1", "1K", "1.0", "x", "0x",
					   "18446744073709551616" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (vs_parse_uint(bad[i], 0, UINT64_MAX, &v, &why) != -1 || !why)
			FAIL("vs_parse_uint(\"%s\") should fail with a reason", bad[i]);
	}
	CHECK_EQ_U64(v, 5);
}

TEST(seconds)
{
	static const struct {
		const char *s;
		double v;
	} ok[] = {
		{ "1", 1.0 }, { "0.5", 0.5 }, { "250ms", 0.25 }, { "2s", 2.0 },
		{ "0", 0.0 }, { ".5", 0.5 }, { "1.5s", 1.5 }, { "10ms", 0.01 },
	};
	static const char *const bad[] = { "abc", "1h", "", "-1", " 1", "1 s",
					   "1m", "ms", "s", ".", "inf", "nan",
					   "1e999", "2ss" };
	double v;
	const char *why;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = -1;
		why = NULL;
		if (vs_parse_seconds(ok[i].s, &v, &why))
			FAIL("vs_parse_seconds(\"%s\") failed: %s", ok[i].s, why ? why : "?");
		else
			CHECK_DBL(v, ok[i].v, 1e-12);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 42;
		why = NULL;
		if (vs_parse_seconds(bad[i], &v, &why) != -1 || !why || v != 42)
			FAIL("vs_parse_seconds(\"%s\") should fail with a reason", bad[i]);
	}
}

TEST(cids)
{
	static const struct {
		const char *s;
		uint32_t v;
	} ok[] = {
		{ "1", 1 }, { "0", 0 }, { "3", 3 }, { "local", 1 }, { "host", 2 },
		{ "hypervisor", 0 }, { "any", 4294967295U },
		{ "4294967295", 4294967295U },
	};
	static const char *const bad[] = { "4294967296", "-1", "", "LOCAL", "anyx",
					   "1x", " 2" };
	uint32_t v;
	const char *why;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		v = 99;
		why = NULL;
		if (vs_parse_cid(ok[i].s, &v, &why))
			FAIL("vs_parse_cid(\"%s\") failed: %s", ok[i].s, why ? why : "?");
		else
			CHECK_EQ_U64(v, ok[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 99;
		why = NULL;
		if (vs_parse_cid(bad[i], &v, &why) != -1 || !why || v != 99)
			FAIL("vs_parse_cid(\"%s\") should fail with a reason", bad[i]);
	}
}

/*
 * Runs one vs_opt_* helper in a child with stderr on a pipe. The child
 * exits 0 if the helper returned want, 3 if it returned something else,
 * or whatever the helper exits with. Returns the exit status (-1 if the
 * child did not exit) and the stderr text in err.
 */
enum kind { SIZE, UINT, SECONDS, MS, CID };

static int run_opt(enum kind k, const char *opt, const char *arg, uint64_t min,
		   uint64_t max, double want, char *err, size_t cap)
{
	int p[2], st;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(p))
		return -2;
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -2;
	if (pid == 0) {
		double got = -1;

		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		switch (k) {
		case SIZE: got = (double)vs_opt_size(opt, arg, min, max); break;
		case UINT: got = (double)vs_opt_uint(opt, arg, min, max); break;
		case SECONDS: got = vs_opt_seconds(opt, arg, (double)min, (double)max); break;
		case MS: got = vs_opt_ms(opt, arg, (double)min, (double)max); break;
		case CID: got = (double)vs_opt_cid(opt, arg); break;
		}
		_exit(got == want ? 0 : 3);
	}
	close(p[1]);
	while (len + 1 < cap && (n = read(p[0], err + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	err[len] = '\0';
	close(p[0]);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* The helper must exit 2 with a message naming opt and arg and with "try". */
static void expect_usage(int line, enum kind k, const char *opt, const char *arg,
			 uint64_t min, uint64_t max)
{
	char err[1024], quoted[256];
	int st = run_opt(k, opt, arg, min, max, 0, err, sizeof(err));

	snprintf(quoted, sizeof(quoted), "%s '%s'", opt, arg);
	if (st != VS_EXIT_USAGE)
		unit_fail(__FILE__, line, "%s: exit status %d, expected %d (stderr: %s)",
			  quoted, st, VS_EXIT_USAGE, err);
	if (!strstr(err, quoted) || !strstr(err, "try") ||
	    strncmp(err, "test_opts: ", 11) || !strchr(err, '\n'))
		unit_fail(__FILE__, line, "stderr \"%s\" should start with \"test_opts: \", "
			  "name \"%s\", contain \"try\" and end a line", err, quoted);
}

TEST(opt_helpers_exit_2)
{
	expect_usage(__LINE__, UINT, "--port", "70000", 1, 65535);
	expect_usage(__LINE__, UINT, "--port", "0", 1, 65535);
	expect_usage(__LINE__, UINT, "--port", "abc", 1, 65535);
	expect_usage(__LINE__, SIZE, "--buf-size", "12Q", 1, UINT64_MAX);
	expect_usage(__LINE__, SIZE, "--buf-size", "2G", 1, GiB);
	expect_usage(__LINE__, SIZE, "--buf-size", "0", 1, GiB);
	expect_usage(__LINE__, SECONDS, "--time", "1h", 0, 3600);
	expect_usage(__LINE__, SECONDS, "--time", "7200", 0, 3600);
	expect_usage(__LINE__, MS, "--stall-rx", "1x", 0, 1000);
	expect_usage(__LINE__, MS, "--stall-rx", "2s", 0, 1000);	/* 2000 ms */
	expect_usage(__LINE__, MS, "--stall-rx", "", 0, 1000);
	expect_usage(__LINE__, CID, "--cid", "4294967296", 0, 0);
	expect_usage(__LINE__, CID, "--cid", "-1", 0, 0);
}

TEST(opt_helpers_return_valid)
{
	char err[1024];

	CHECK_EQ_INT(run_opt(UINT, "--port", "65535", 1, 65535, 65535, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ_INT(run_opt(UINT, "--port", "1", 1, 65535, 1, err, sizeof(err)), 0);
	CHECK_EQ_INT(run_opt(SIZE, "--buf-size", "1G", 1, GiB, (double)GiB, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ_INT(run_opt(SECONDS, "--time", "250ms", 0, 10, 0.25, err, sizeof(err)), 0);
	/* milliseconds: a plain number, or with its unit */
	CHECK_EQ_INT(run_opt(MS, "--stall-rx", "500", 0, 1e4, 500, err, sizeof(err)), 0);
	CHECK_EQ_INT(run_opt(MS, "--stall-rx", "500ms", 0, 1e4, 500, err, sizeof(err)), 0);
	CHECK_EQ_INT(run_opt(MS, "--stall-rx", "2s", 0, 1e4, 2000, err, sizeof(err)), 0);
	CHECK_EQ_INT(run_opt(MS, "--rx-delay", "0.25", 0, 1e4, 0.25, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ_INT(run_opt(CID, "--cid", "any", 0, 0, 4294967295.0, err, sizeof(err)), 0);
	CHECK_EQ_INT(run_opt(CID, "--cid", "host", 0, 0, 2, err, sizeof(err)), 0);
	CHECK_STR(err, "");
}

TEST(prog_name)
{
	vs_set_prog("/usr/local/bin/vsock_perf");
	CHECK_STR(vs_prog(), "vsock_perf");
	vs_set_prog("plain");
	CHECK_STR(vs_prog(), "plain");
	vs_set_prog(NULL);
	CHECK_STR(vs_prog(), "plain");
	vs_set_prog("test_opts");
}

int main(void)
{
	vs_set_prog("test_opts");
	RUN(size_valid);
	RUN(size_overflow);
	RUN(size_malformed);
	RUN(uint_ranges);
	RUN(seconds);
	RUN(cids);
	RUN(opt_helpers_exit_2);
	RUN(opt_helpers_return_valid);
	RUN(prog_name);
	return unit_exit();
}
