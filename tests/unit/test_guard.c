// SPDX-License-Identifier: GPL-2.0-only
/* The pure parts of the VM guard, and socket type names. */
#include "unit.h"
#include "vs_guard.h"
#include "vs_sock.h"

#include <unistd.h>

TEST(has_word)
{
	const char *w = VS_TESTVM_MARKER;

	CHECK_STR(w, "vsockscope.testvm=1");
	CHECK(vs_has_word("a vsockscope.testvm=1 b", w));
	CHECK(vs_has_word("vsockscope.testvm=1 b", w));
	CHECK(vs_has_word("a vsockscope.testvm=1", w));
	CHECK(vs_has_word("vsockscope.testvm=1", w));
	CHECK(vs_has_word("a vsockscope.testvm=1\n", w));
	CHECK(vs_has_word("a\tvsockscope.testvm=1\tb", w));
	CHECK(vs_has_word("a  vsockscope.testvm=1  b", w));
	CHECK(!vs_has_word("a vsockscope.testvm=10 b", w));
	CHECK(!vs_has_word("vsockscope.testvm=10", w));
	CHECK(!vs_has_word("a xvsockscope.testvm=1 b", w));
	CHECK(!vs_has_word("xvsockscope.testvm=1", w));
	CHECK(!vs_has_word("vsockscope.testvm=0", w));
	CHECK(!vs_has_word("vsockscope.testvm", w));
	CHECK(!vs_has_word("", w));
	/* a bad match first must not hide a good one later */
	CHECK(vs_has_word("xvsockscope.testvm=1 vsockscope.testvm=10 vsockscope.testvm=1", w));
	CHECK(vs_has_word("vsockscope.testvm=1vsockscope.testvm=1 vsockscope.testvm=1", w));
	CHECK(!vs_has_word("vsockscope.testvm=1vsockscope.testvm=1", w));
	CHECK(vs_has_word("quiet console=ttyS0 vsockscope.testvm=1 panic=-1\n", w));
}

TEST(type_name)
{
	CHECK_STR(vs_type_name(SOCK_STREAM), "STREAM");
	CHECK_STR(vs_type_name(SOCK_SEQPACKET), "SEQPACKET");
	CHECK_STR(vs_type_name(SOCK_DGRAM), "DGRAM");
	CHECK_STR(vs_type_name(SOCK_RAW), "?");
	CHECK_STR(vs_type_name(0), "?");
	CHECK_STR(vs_type_name(-1), "?");
}

/* Reads only /sys and /proc: it must agree with the sysfs entry. */
TEST(loopback_loaded_consistent)
{
	bool a = vs_loopback_loaded(), b = vs_loopback_loaded();

	CHECK(a == b);
	if (access("/sys/module/vsock_loopback", F_OK) == 0)
		CHECK(a);
}

int main(void)
{
	RUN(has_word);
	RUN(type_name);
	RUN(loopback_loaded_consistent);
	return unit_exit();
}
