// SPDX-License-Identifier: GPL-2.0-only
/* The line-based control channel, over an AF_UNIX socketpair. */
#include "unit.h"
#include "vs_clock.h"
#include "vs_ctl.h"
#include "vs_sock.h"

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int sv[2];
static struct vs_ctl tx, rx;	/* tx writes on sv[0], rx reads sv[1] */
static char line[VS_CTL_LINE_MAX * 4];

/* A fresh connected pair; rx waits at most timeout_ms per receive. */
static int pair(int timeout_ms)
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	vs_ctl_init(&tx, sv[0], timeout_ms);
	vs_ctl_init(&rx, sv[1], timeout_ms);
	return 0;
}

static void unpair(void)
{
	close(sv[0]);
	close(sv[1]);
}

static void put(const char *s, size_t n)
{
	if (write(sv[0], s, n) != (ssize_t)n)
		FAIL("write of %zu bytes failed", n);
}

static int recv_line(void)
{
	return vs_ctl_recv(&rx, line, sizeof(line));
}

TEST(send_recv)
{
	REQUIRE(pair(2000) == 0);
	CHECK_EQ_INT(vs_ctl_send(&tx, "HELLO port=%d size=%s", 1234, "64K"), 0);
	CHECK_EQ_INT(recv_line(), 24);
	CHECK_STR(line, "HELLO port=1234 size=64K");
	CHECK_EQ_INT(vs_ctl_send(&tx, "BYE"), 0);
	CHECK_EQ_INT(recv_line(), 3);
	CHECK_STR(line, "BYE");
	unpair();
}

TEST(several_lines_in_one_write)
{
	REQUIRE(pair(50) == 0);
	put("A\nB x=1\n\nC\n", 11);
	CHECK_EQ_INT(recv_line(), 1);
	CHECK_STR(line, "A");
	CHECK_EQ_INT(recv_line(), 5);
	CHECK_STR(line, "B x=1");
	CHECK_EQ_INT(recv_line(), 0);
	CHECK_STR(line, "");
	CHECK_EQ_INT(recv_line(), 1);
	CHECK_STR(line, "C");
	CHECK_EQ_INT(recv_line(), -ETIMEDOUT);
	unpair();
}

TEST(line_split_across_writes)
{
	pid_t pid;
	int st;

	REQUIRE(pair(50) == 0);
	put("HEL", 3);
	CHECK_EQ_INT(recv_line(), -ETIMEDOUT);	/* half a line is kept */
	put("LO\nWOR", 6);
	CHECK_EQ_INT(recv_line(), 5);
	CHECK_STR(line, "HELLO");
	/* the rest arrives later, from another process, while rx waits */
	rx.timeout_ms = 5000;
	fflush(NULL);
	pid = fork();
	REQUIRE(pid >= 0);
	if (pid == 0) {
		usleep(30000);
		_exit(write(sv[0], "LD\n", 3) == 3 ? 0 : 1);
	}
	CHECK_EQ_INT(recv_line(), 5);
	CHECK_STR(line, "WORLD");
	CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0);
	unpair();
}

TEST(line_length_limit)
{
	char *big = malloc(3 * VS_CTL_LINE_MAX);
	char small[10];

	REQUIRE(big);
	memset(big, 'x', 3 * VS_CTL_LINE_MAX);

	REQUIRE(pair(50) == 0);	/* exactly VS_CTL_LINE_MAX: fine */
	big[VS_CTL_LINE_MAX] = '\n';
	put(big, VS_CTL_LINE_MAX + 1);
	CHECK_EQ_INT(recv_line(), VS_CTL_LINE_MAX);
	CHECK_EQ_U64(strlen(line), VS_CTL_LINE_MAX);
	big[VS_CTL_LINE_MAX] = 'x';
	unpair();

	REQUIRE(pair(50) == 0);	/* one more: too long */
	big[VS_CTL_LINE_MAX + 1] = '\n';
	put(big, VS_CTL_LINE_MAX + 2);
	CHECK_EQ_INT(recv_line(), -EMSGSIZE);
	big[VS_CTL_LINE_MAX + 1] = 'x';
	unpair();

	REQUIRE(pair(50) == 0);	/* no newline at all: too long, not a hang */
	put(big, 3 * VS_CTL_LINE_MAX);
	CHECK_EQ_INT(recv_line(), -EMSGSIZE);
	unpair();

	REQUIRE(pair(50) == 0);	/* longer than the caller's buffer */
	put("123456789\n0123456789\n", 21);
	CHECK_EQ_INT(vs_ctl_recv(&rx, small, sizeof(small)), 9);
	CHECK_STR(small, "123456789");
	CHECK_EQ_INT(vs_ctl_recv(&rx, small, sizeof(small)), -EMSGSIZE);
	unpair();

	REQUIRE(pair(50) == 0);	/* the sender: VS_CTL_LINE_MAX goes, one more does not */
	big[VS_CTL_LINE_MAX] = '\0';
	CHECK_EQ_INT(vs_ctl_send(&tx, "%s", big), 0);
	CHECK_EQ_INT(recv_line(), VS_CTL_LINE_MAX);
	big[VS_CTL_LINE_MAX] = 'x';
	big[VS_CTL_LINE_MAX + 1] = '\0';
	CHECK_EQ_INT(vs_ctl_send(&tx, "%s", big), -EMSGSIZE);
	CHECK_EQ_INT(recv_line(), -ETIMEDOUT);	/* and nothing was sent */
	unpair();
	free(big);
}

TEST(peer_close)
{
	REQUIRE(pair(2000) == 0);
	put("LAST\npartial", 12);
	close(sv[0]);
	CHECK_EQ_INT(recv_line(), 4);
	CHECK_STR(line, "LAST");
	CHECK_EQ_INT(recv_line(), -EPIPE);
	CHECK_EQ_INT(recv_line(), -EPIPE);
	close(sv[1]);

	/* sending to a closed peer fails with -EPIPE (SIGPIPE is ignored) */
	REQUIRE(pair(2000) == 0);
	close(sv[1]);
	CHECK_EQ_INT(vs_ctl_send(&tx, "HELLO"), -EPIPE);
	close(sv[0]);
}

TEST(timeout)
{
	uint64_t t0, dt;

	REQUIRE(pair(50) == 0);
	t0 = vs_now_ns();
	CHECK_EQ_INT(recv_line(), -ETIMEDOUT);
	dt = vs_now_ns() - t0;
	CHECK(dt >= 45000000);	/* waited about 50 ms */
	CHECK(dt < 2 * VS_NSEC_PER_SEC);
	unpair();
}

TEST(nul_byte)
{
	REQUIRE(pair(50) == 0);
	put("A\0B\n", 4);
	CHECK_EQ_INT(recv_line(), -EBADMSG);
	unpair();

	REQUIRE(pair(50) == 0);	/* a NUL after the line is not this line's */
	put("OK\n\0\n", 5);
	CHECK_EQ_INT(recv_line(), 2);
	CHECK_STR(line, "OK");
	CHECK_EQ_INT(recv_line(), -EBADMSG);
	unpair();
}

TEST(is)
{
	CHECK(vs_ctl_is("HELLO", "HELLO"));
	CHECK(vs_ctl_is("HELLO port=1", "HELLO"));
	CHECK(!vs_ctl_is("HELLOX port=1", "HELLO"));
	CHECK(!vs_ctl_is("HELL", "HELLO"));
	CHECK(!vs_ctl_is("", "HELLO"));
	CHECK(!vs_ctl_is("hello", "HELLO"));
	CHECK(!vs_ctl_is(" HELLO", "HELLO"));
}

TEST(get)
{
	char v[16], tiny[4];

	CHECK_EQ_INT(vs_ctl_get("HELLO port=1234 size=64K", "port", v, sizeof(v)), 0);
	CHECK_STR(v, "1234");
	CHECK_EQ_INT(vs_ctl_get("HELLO port=1234 size=64K", "size", v, sizeof(v)), 0);
	CHECK_STR(v, "64K");
	CHECK_EQ_INT(vs_ctl_get("HELLO portx=1 port=2", "port", v, sizeof(v)), 0);
	CHECK_STR(v, "2");
	CHECK_EQ_INT(vs_ctl_get("HELLO portx=1 port=2", "portx", v, sizeof(v)), 0);
	CHECK_STR(v, "1");
	CHECK_EQ_INT(vs_ctl_get("HELLO xport=1", "port", v, sizeof(v)), -1);
	CHECK_EQ_INT(vs_ctl_get("HELLO portx=1", "port", v, sizeof(v)), -1);
	CHECK_EQ_INT(vs_ctl_get("HELLO size=1", "port", v, sizeof(v)), -1);
	CHECK_EQ_INT(vs_ctl_get("HELLO", "port", v, sizeof(v)), -1);
	CHECK_EQ_INT(vs_ctl_get("HELLO port", "port", v, sizeof(v)), -1);
	CHECK_EQ_INT(vs_ctl_get("HELLO a=b=c", "a", v, sizeof(v)), 0);
	CHECK_STR(v, "b=c");
	CHECK_EQ_INT(vs_ctl_get("HELLO empty= x=1", "empty", v, sizeof(v)), 0);
	CHECK_STR(v, "");
	CHECK_EQ_INT(vs_ctl_get("HELLO k=abc", "k", tiny, sizeof(tiny)), 0);
	CHECK_STR(tiny, "abc");
	CHECK_EQ_INT(vs_ctl_get("HELLO k=abcd", "k", tiny, sizeof(tiny)), -1);
}

TEST(get_u64)
{
	uint64_t v = 7;

	CHECK_EQ_INT(vs_ctl_get_u64("GO port=5 portx=6", "port", &v), 0);
	CHECK_EQ_U64(v, 5);
	CHECK_EQ_INT(vs_ctl_get_u64("GO portx=6 port=5", "portx", &v), 0);
	CHECK_EQ_U64(v, 6);
	CHECK_EQ_INT(vs_ctl_get_u64("GO n=18446744073709551615", "n", &v), 0);
	CHECK_EQ_U64(v, UINT64_MAX);
	v = 7;
	CHECK_EQ_INT(vs_ctl_get_u64("GO n=18446744073709551616", "n", &v), -1);
	CHECK_EQ_INT(vs_ctl_get_u64("GO n=12a", "n", &v), -1);
	CHECK_EQ_INT(vs_ctl_get_u64("GO n=-1", "n", &v), -1);
	CHECK_EQ_INT(vs_ctl_get_u64("GO n=", "n", &v), -1);
	CHECK_EQ_INT(vs_ctl_get_u64("GO n=1.5", "n", &v), -1);
	CHECK_EQ_INT(vs_ctl_get_u64("GO m=1", "n", &v), -1);
	CHECK_EQ_INT(vs_ctl_get_u64("GO n=000000000000000000000000000000000001", "n", &v), -1);
	CHECK_EQ_U64(v, 7);
}

TEST(get_rest)
{
	char v[32], tiny[4];

	CHECK_EQ_INT(vs_ctl_get_rest("DONE id=3 result=fail why=client: recv: EAGAIN", "why", v,
				     sizeof(v)), 0);
	CHECK_STR(v, "client: recv: EAGAIN");
	CHECK_EQ_INT(vs_ctl_get_rest("DONE id=3 why=", "why", v, sizeof(v)), 0);
	CHECK_STR(v, "");
	CHECK_EQ_INT(vs_ctl_get_rest("DONE id=3 why=a b=c", "b", v, sizeof(v)), 0);
	CHECK_STR(v, "c");
	CHECK_EQ_INT(vs_ctl_get_rest("DONE whyx=1", "why", v, sizeof(v)), -1);
	CHECK_EQ_INT(vs_ctl_get_rest("why=1", "why", v, sizeof(v)), -1);	/* the first word is no field */
	CHECK_EQ_INT(vs_ctl_get_rest("DONE why=abc", "why", tiny, sizeof(tiny)), 0);
	CHECK_STR(tiny, "abc");
	CHECK_EQ_INT(vs_ctl_get_rest("DONE why=abcd", "why", tiny, sizeof(tiny)), -1);
}

TEST(unread)
{
	struct vs_ctl c;
	char *big = malloc(VS_CTL_LINE_MAX + 2);

	REQUIRE(big);
	REQUIRE(pair(50) == 0);
	put("A\nB\n", 4);
	CHECK_EQ_INT(recv_line(), 1);
	CHECK_EQ_INT(vs_ctl_unread(&rx, "A"), 0);
	CHECK_EQ_INT(recv_line(), 1);
	CHECK_STR(line, "A");
	CHECK_EQ_INT(recv_line(), 1);
	CHECK_STR(line, "B");
	CHECK_EQ_INT(vs_ctl_unread(&rx, ""), 0);	/* an empty line comes back empty */
	CHECK_EQ_INT(recv_line(), 0);
	CHECK_EQ_INT(recv_line(), -ETIMEDOUT);
	unpair();

	/* too long for a line, or for what is buffered: refused, nothing changed */
	vs_ctl_init(&c, -1, 0);
	memset(big, 'x', VS_CTL_LINE_MAX + 1);
	big[VS_CTL_LINE_MAX + 1] = '\0';
	CHECK_EQ_INT(vs_ctl_unread(&c, big), -EMSGSIZE);
	CHECK_EQ_U64(c.len, 0);
	big[VS_CTL_LINE_MAX] = '\0';
	CHECK_EQ_INT(vs_ctl_unread(&c, big), 0);
	CHECK_EQ_INT(vs_ctl_unread(&c, big), -EMSGSIZE);	/* 2 x (MAX + 1) > the buffer */
	CHECK_EQ_U64(c.len, VS_CTL_LINE_MAX + 1);
	free(big);
}

TEST(parse_vsock_endpoint)
{
	struct vs_ctl_ep ep;
	const char *why = NULL;
	char buf[64];

	CHECK_EQ_INT(vs_ctl_parse_vsock("2:1235", &ep, &why), 0);
	CHECK(ep.t == &vs_ctl_vsock);
	CHECK_EQ_U64(ep.cid, 2);
	CHECK_EQ_U64(ep.port, 1235);
	CHECK_STR(vs_ctl_ep_str(&ep, buf, sizeof(buf)), "vsock 2:1235");
	CHECK_EQ_INT(vs_ctl_parse_vsock("any:7", &ep, &why), 0);
	CHECK_EQ_U64(ep.cid, VMADDR_CID_ANY);
	CHECK_STR(vs_ctl_ep_str(&ep, buf, sizeof(buf)), "vsock -1:7");
	CHECK_EQ_INT(vs_ctl_parse_vsock("local:4294967294", &ep, &why), 0);
	CHECK_EQ_U64(ep.cid, 1);
	CHECK_EQ_INT(vs_ctl_parse_vsock("1234", &ep, &why), -1);
	CHECK_STR(why, "expected CID:PORT");
	CHECK_EQ_INT(vs_ctl_parse_vsock(":1", &ep, &why), -1);
	CHECK_EQ_INT(vs_ctl_parse_vsock("1:", &ep, &why), -1);
	CHECK_EQ_INT(vs_ctl_parse_vsock("1:0", &ep, &why), -1);
	CHECK_EQ_INT(vs_ctl_parse_vsock("1:4294967295", &ep, &why), -1);	/* VMADDR_PORT_ANY */
	CHECK_EQ_INT(vs_ctl_parse_vsock("x:1", &ep, &why), -1);
	CHECK_EQ_INT(vs_ctl_parse_vsock("1:2:3", &ep, &why), -1);
	CHECK_EQ_INT(vs_ctl_parse_vsock("123456789012345678901234567890123:1", &ep, &why), -1);
}

/* The TCP transport on 127.0.0.1 (no vsock): listen, connect, a line each way. */
TEST(tcp_transport)
{
	struct vs_ctl_ep ep = { .t = &vs_ctl_tcp, .host = "127.0.0.1" };
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	struct vs_ctl cl, sv;
	uint64_t t0;
	int lfd, cfd, sfd;
	char buf[64];

	lfd = ep.t->listen(&ep);	/* port 0: the kernel picks one */
	REQUIRE(lfd >= 0);
	REQUIRE(getsockname(lfd, (struct sockaddr *)&a, &len) == 0);
	ep.port = ntohs(a.sin_port);
	cfd = vs_ctl_connect(&ep, 1000);
	REQUIRE(cfd >= 0);
	sfd = vs_ctl_accept(lfd, 1000);
	REQUIRE(sfd >= 0);
	vs_ctl_init(&cl, cfd, 1000);
	vs_ctl_init(&sv, sfd, 1000);
	CHECK_EQ_INT(vs_ctl_send(&cl, "CASE id=%d", 7), 0);
	CHECK_EQ_INT(vs_ctl_recv(&sv, buf, sizeof(buf)), 9);
	CHECK_STR(buf, "CASE id=7");
	snprintf(buf, sizeof(buf), "tcp 127.0.0.1:%u", ep.port);
	CHECK_STR(vs_ctl_ep_str(&ep, line, sizeof(line)), buf);
	close(cfd);
	close(sfd);
	/* no second client: accept times out */
	CHECK_EQ_INT(vs_ctl_accept(lfd, 50), -ETIMEDOUT);
	close(lfd);
	/* nobody listens: connect retries for the time given, then says refused */
	t0 = vs_now_ns();
	CHECK_EQ_INT(vs_ctl_connect(&ep, 200), -ECONNREFUSED);
	CHECK(vs_now_ns() - t0 >= 150000000ULL);
	/* a name that does not resolve */
	snprintf(ep.host, sizeof(ep.host), "no-such-host.invalid");
	CHECK(vs_ctl_connect(&ep, 0) < 0);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	RUN(send_recv);
	RUN(several_lines_in_one_write);
	RUN(line_split_across_writes);
	RUN(line_length_limit);
	RUN(peer_close);
	RUN(timeout);
	RUN(nul_byte);
	RUN(is);
	RUN(get);
	RUN(get_u64);
	RUN(get_rest);
	RUN(unread);
	RUN(parse_vsock_endpoint);
	RUN(tcp_transport);
	return unit_exit();
}
