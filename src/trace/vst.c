// SPDX-License-Identifier: GPL-2.0-only
#include "vst.h"
#include "vsock_trace.skel.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A kernel function hook: its fentry/fexit programs and kprobe twins. */
struct hook {
	const char *sym;
	unsigned int groups;		/* the groups that need it */
	struct bpf_program *fentry[2];	/* entry, exit (either may be NULL) */
	struct bpf_program *kprobe[2];
	bool present;
};

#define NR_HOOKS 6

static void hooks_of(struct vsock_trace_bpf *s, struct hook *h)
{
	struct hook table[NR_HOOKS] = {
		{ "virtio_transport_notify_send_pre_block", VST_G_STALLS,
		  { s->progs.fe_send_block, NULL }, { s->progs.kp_send_block, NULL }, false },
		{ "virtio_transport_stream_dequeue", VST_G_READS,
		  { s->progs.fe_dequeue, NULL }, { s->progs.kp_dequeue, NULL }, false },
		{ "virtio_transport_seqpacket_dequeue", VST_G_READS,
		  { s->progs.fe_seq_dequeue, NULL }, { s->progs.kp_seq_dequeue, NULL }, false },
		{ "vsock_connectible_recvmsg", VST_G_READS | VST_G_STALLS,
		  { s->progs.fe_recvmsg, s->progs.fx_recvmsg }, { s->progs.kp_recvmsg, s->progs.kr_recvmsg }, false },
		{ "vsock_data_ready", VST_G_WAKEUPS,
		  { s->progs.fe_data_ready, NULL }, { s->progs.kp_data_ready, NULL }, false },
		{ "vsock_poll", VST_G_WAKEUPS | VST_G_STALLS,
		  { NULL, s->progs.fx_poll }, { s->progs.kp_poll, s->progs.kr_poll }, false },
	};

	memcpy(h, table, sizeof(table));
}

/*
 * Testing aid: VSOCKSCOPE_TRACE_HIDE=sym[,sym...] makes those hooks count as
 * missing, to check that a kernel without them is reported, not crashed on.
 */
static void hide_hooks(struct hook *h)
{
	const char *hide = getenv("VSOCKSCOPE_TRACE_HIDE");

	for (int i = 0; hide && i < NR_HOOKS; i++) {
		size_t n = strlen(h[i].sym);

		for (const char *p = strstr(hide, h[i].sym); p; p = strstr(p + 1, h[i].sym))
			if ((p == hide || p[-1] == ',') && (p[n] == ',' || !p[n]))
				h[i].present = false;
	}
}

/* Which hook symbols does this kernel have? (One pass over /proc/kallsyms.) */
static void find_symbols(struct hook *h)
{
	char line[512];
	FILE *f = fopen("/proc/kallsyms", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *name = strchr(line, ' ');

		if (!name || !(name = strchr(name + 1, ' ')))
			continue;
		name++;
		name[strcspn(name, "\t\n")] = '\0';
		for (int i = 0; i < NR_HOOKS; i++)
			if (!strcmp(name, h[i].sym))
				h[i].present = true;
	}
	fclose(f);
	hide_hooks(h);
}

static char libbpf_last[256];
static bool libbpf_verbose;

static int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	va_copy(copy, ap);
	vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, copy);
	va_end(copy);
	libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	return libbpf_verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static void add_missing(struct vst *t, const char *what)
{
	size_t n = strlen(t->missing);

	snprintf(t->missing + n, sizeof(t->missing) - n, "%s%s", n ? ", " : "", what);
}

/* Opens and loads the object with one hook set; 0 or -errno. */
static int load(struct vst *t, const struct vst_opts *o, bool kprobe, struct hook *h)
{
	struct vsock_trace_bpf *s = vsock_trace_bpf__open();
	int err;

	if (!s)
		return -errno;
	s->rodata->filter_tgid = o->pid;
	s->rodata->filter_port = o->port;
	s->rodata->filter_cid = o->cid;
	s->rodata->filter_cid_set = o->cid_set;
	s->rodata->emit_packets = o->packets;
	s->rodata->packets_per_sec = o->packets_per_sec ? o->packets_per_sec : 1000;
	s->rodata->emit_stalls = o->stalls;
	s->rodata->min_stall_ns = o->min_stall_ns;

	bpf_program__set_autoload(s->progs.vst_alloc_pkt, o->groups & VST_G_PACKETS);
	bpf_program__set_autoload(s->progs.vst_recv_pkt, o->groups & VST_G_PACKETS);
	hooks_of(s, h);
	find_symbols(h);
	for (int i = 0; i < NR_HOOKS; i++) {
		bool want = (h[i].groups & o->groups) && h[i].present;

		for (int j = 0; j < 2; j++) {
			if (h[i].fentry[j])
				bpf_program__set_autoload(h[i].fentry[j], want && !kprobe);
			if (h[i].kprobe[j])
				bpf_program__set_autoload(h[i].kprobe[j], want && kprobe);
		}
	}
	err = vsock_trace_bpf__load(s);
	if (err) {
		vsock_trace_bpf__destroy(s);
		return err;
	}
	t->skel = s;
	t->kprobe = kprobe;
	return 0;
}

int vst_open(struct vst *t, const struct vst_opts *o, char *err, size_t len)
{
	struct hook h[NR_HOOKS];
	unsigned int broken = 0;
	struct bpf_program *p;
	int e;

	memset(t, 0, sizeof(*t));
	libbpf_verbose = o->verbose;
	libbpf_set_print(on_libbpf_print);
	e = o->force_kprobe ? -1 : load(t, o, false, h);
	if (e && (e = load(t, o, true, h))) {
		if (e == -EPERM || e == -EACCES)
			snprintf(err, len, "loading BPF programs: %s: run as root (CAP_BPF and "
				 "CAP_PERFMON)", strerror(-e));
		else
			snprintf(err, len, "loading BPF programs: %s%s%s", strerror(-e),
				 libbpf_last[0] ? ": " : "", libbpf_last);
		return -1;
	}
	for (int i = 0; i < NR_HOOKS; i++)
		if ((h[i].groups & o->groups) && !h[i].present) {
			add_missing(t, h[i].sym);
			broken |= h[i].groups & o->groups;
		}
	/* Attach one by one: a hook that fails costs its groups, not the tool. */
	bpf_object__for_each_program(p, t->skel->obj) {
		struct bpf_link *l;

		if (!bpf_program__autoload(p))
			continue;
		l = bpf_program__attach(p);
		if (!l) {
			char what[96];
			const char *sec = bpf_program__section_name(p);

			snprintf(what, sizeof(what), "%s (%s)", strchr(sec, '/') ? strchr(sec, '/') + 1 : sec,
				 strerror(errno));
			add_missing(t, what);
			for (int i = 0; i < NR_HOOKS; i++)
				for (int j = 0; j < 2; j++)
					if (h[i].fentry[j] == p || h[i].kprobe[j] == p)
						broken |= h[i].groups & o->groups;
			if (p == t->skel->progs.vst_alloc_pkt || p == t->skel->progs.vst_recv_pkt)
				broken |= VST_G_PACKETS;
			continue;
		}
		if (t->nlinks < (int)(sizeof(t->links) / sizeof(t->links[0])))
			t->links[t->nlinks++] = l;
	}
	t->groups_ok = o->groups & ~broken;
	if (!t->groups_ok) {
		snprintf(err, len, "no hook could be attached: %s", t->missing);
		vst_close(t);
		return -1;
	}
	return 0;
}

void vst_close(struct vst *t)
{
	ring_buffer__free(t->rb);
	for (int i = 0; i < t->nlinks; i++)
		bpf_link__destroy(t->links[i]);
	vsock_trace_bpf__destroy(t->skel);
	free(t->pcpu);
	memset(t, 0, sizeof(*t));
}

/* Reads per connection, from one pass over the read histograms (one value per process). */
struct conn_reads {
	struct vst_conn_key k;
	uint64_t n;
};

/*
 * The read histograms of key k, summed over the CPUs (read_hists is per CPU);
 * 0 or -errno.
 */
static int read_hists_get(struct vst *t, const struct vst_hist_key *k, struct vst_read_hists *out)
{
	int fd = bpf_map__fd(t->skel->maps.read_hists);

	if (!t->pcpu) {
		int n = libbpf_num_possible_cpus();

		if (n <= 0)
			return n ? n : -EINVAL;
		if (!(t->pcpu = calloc((size_t)n, sizeof(*t->pcpu))))
			return -ENOMEM;
		t->ncpus = n;
	}
	if (bpf_map_lookup_elem(fd, k, t->pcpu))
		return -errno;
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < t->ncpus; c++)
		for (int i = 0; i < 3; i++)
			vst_hist_add(&out->h[i], &t->pcpu[c].h[i]);
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct vst_conn_key));
}

static size_t collect_reads(struct vst *t, struct conn_reads **out)
{
	int fd = bpf_map__fd(t->skel->maps.read_hists);
	struct vst_hist_key k, next;
	struct vst_read_hists v;
	struct conn_reads *r = NULL;
	size_t n = 0, cap = 0, m = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (read_hists_get(t, &k, &v))
			continue;
		if (n == cap) {
			struct conn_reads *g = realloc(r, (cap = cap ? 2 * cap : 64) * sizeof(*r));

			if (!g)
				break;	/* the counts stay low; nothing else depends on them */
			r = g;
		}
		r[n].k = k.conn;
		r[n++].n = v.h[0].count;
	}
	if (n)
		qsort(r, n, sizeof(*r), by_key);
	for (size_t i = 0; i < n; i++) {	/* merge the processes of one connection */
		if (m && !by_key(&r[m - 1].k, &r[i].k))
			r[m - 1].n += r[i].n;
		else
			r[m++] = r[i];
	}
	*out = r;
	return m;
}

static uint64_t reads_of(const struct conn_reads *r, size_t n, const struct vst_conn_key *k)
{
	const struct conn_reads *hit = n ? bsearch(k, r, n, sizeof(*r), by_key) : NULL;

	return hit ? hit->n : 0;
}

int vst_for_each_conn(struct vst *t,
		      void (*fn)(const struct vst_conn_key *k, const struct vst_conn *c, void *arg),
		      void *arg)
{
	int fd = bpf_map__fd(t->skel->maps.conns), n = 0, err;
	struct vst_conn_key k, next;
	struct conn_reads *reads;
	size_t nreads = collect_reads(t, &reads);
	struct vst_conn c;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &c))
			continue;	/* removed meanwhile */
		c.reads = reads_of(reads, nreads, &k);
		fn(&k, &c, arg);
		n++;
	}
	err = errno;
	free(reads);
	return err == ENOENT ? n : -err;
}

int vst_get_conn(struct vst *t, const struct vst_conn_key *k, struct vst_conn *c)
{
	struct vst_hist h;

	if (bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.conns), k, c))
		return -errno;
	vst_hist_sum(t, VST_HIST_READ, 0, k, &h);
	c->reads = h.count;
	return 0;
}

void vst_hist_add(struct vst_hist *sum, const struct vst_hist *h)
{
	for (int i = 0; i < VST_MAX_SLOTS; i++)
		sum->slots[i] += h->slots[i];
	sum->count += h->count;
	sum->total_ns += h->total_ns;
}

int vst_hist_sum(struct vst *t, uint32_t kind, uint32_t pid, const struct vst_conn_key *conn,
		 struct vst_hist *out)
{
	/* the three read histograms share a map value; the others have one each */
	bool read = kind <= VST_HIST_READ_COPY;	/* VST_HIST_READ is 0 */
	int fd = bpf_map__fd(read ? t->skel->maps.read_hists : t->skel->maps.hists), n = 0;
	uint32_t want = read ? VST_HIST_READ : kind;
	struct vst_hist_key k, next;
	struct vst_read_hists v;
	void *prev = NULL;

	memset(out, 0, sizeof(*out));
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		k = next;
		prev = &k;
		if (k.kind != want || (pid && k.pid != pid) ||
		    (conn && memcmp(&k.conn, conn, sizeof(*conn))) ||
		    (read ? read_hists_get(t, &k, &v) : bpf_map_lookup_elem(fd, &k, &v.h[0])))
			continue;
		vst_hist_add(out, read ? &v.h[kind - VST_HIST_READ] : &v.h[0]);
		n++;
	}
	return n;
}

double vst_hist_percentile_us(const struct vst_hist *h, double p)
{
	uint64_t total = 0, want, cum = 0;

	for (int i = 0; i < VST_MAX_SLOTS; i++)
		total += h->slots[i];
	if (!total)
		return 0;
	want = (uint64_t)((p / 100.0) * (double)total + 0.999999);
	if (!want)
		want = 1;
	for (int i = 0; i < VST_MAX_SLOTS; i++) {
		cum += h->slots[i];
		if (cum >= want)
			return (double)(1ULL << (i + 1));	/* the slot's upper bound */
	}
	return (double)(1ULL << VST_MAX_SLOTS);
}

void vst_print_log2_hist(const struct vst_hist *h, const char *unit)
{
	uint64_t max = 0;
	int last = -1;

	for (int i = 0; i < VST_MAX_SLOTS; i++) {
		if (h->slots[i] > max)
			max = h->slots[i];
		if (h->slots[i])
			last = i;
	}
	printf("%24s : count    distribution\n", unit);
	for (int i = 0; i <= last; i++) {
		uint64_t lo = i ? 1ULL << i : 0, hi = (1ULL << (i + 1)) - 1;
		int stars = max ? (int)(h->slots[i] * 40 / max) : 0;

		printf("%10llu -> %-10llu : %-8llu |%-40.*s|\n", (unsigned long long)lo,
		       (unsigned long long)hi, (unsigned long long)h->slots[i], stars,
		       "****************************************");
	}
}

static int on_ring(void *ctx, void *data, size_t size)
{
	struct vst *t = ctx;

	if (size >= sizeof(struct vst_event))
		t->ev_fn(data, t->ev_arg);
	return 0;
}

int vst_poll_events(struct vst *t, int timeout_ms, void (*fn)(const struct vst_event *e, void *arg),
		    void *arg)
{
	t->ev_fn = fn;
	t->ev_arg = arg;
	if (!t->rb) {
		t->rb = ring_buffer__new(bpf_map__fd(t->skel->maps.events), on_ring, t, NULL);
		if (!t->rb)
			return -errno;
	}
	return ring_buffer__poll(t->rb, timeout_ms);
}

uint64_t vst_packets_dropped(struct vst *t)
{
	struct { uint64_t second, sent, dropped; } r = { 0 };
	uint32_t zero = 0;

	bpf_map_lookup_elem(bpf_map__fd(t->skel->maps.rates), &zero, &r);
	return r.dropped;
}

const char *vst_op_name(uint32_t op)
{
	static const char *const names[VST_NR_OPS] = {
		"INVALID", "REQUEST", "RESPONSE", "RST", "SHUTDOWN", "RW", "CREDIT_UPDATE",
		"CREDIT_REQUEST",
	};
	return op < VST_NR_OPS ? names[op] : "?";
}

const char *vst_cause_name(uint32_t cause)
{
	static const char *const names[VST_NR_CAUSES] = {
		"unknown (receiver not in this kernel)", "window-limited (credit in flight)",
		"receiver not reading", "receiver held back freed credit (no update)",
	};
	return cause < VST_NR_CAUSES ? names[cause] : "?";
}
