#!/bin/sh
# make bench: runs inside the test VM (tests/vm/run bench/bench.sh [diag] [ROUNDS] [BYTES]).
# Interleaved A/B in one boot, each printing every run, medians and ratios:
# 1. vsock_perf against socat moving the same bytes over vsock_loopback with
#    the same 64 KiB blocks, plus a memcpy probe for the two-copy ceiling;
# 2. tracing overhead: vsock_perf untraced against vsock_perf --trace (every
#    hook attached, unfiltered) at 4 KiB and 64 KiB buffers.
# 3. listing 10,000 vsock sockets: vsock_diag against ss --vsock (plain and with -p).
#    "bench.sh diag [ROUNDS]" runs only this part.
# "bench.sh overhead [ROUNDS [CLOCK]]" runs only part 2; CLOCK names the guest's
# clock in its header (make bench passes "icount" for its VM booted with
# tests/vm/run --icount, where time counts executed instructions).
. /vsockscope/tests/vm/lib.sh

# Seconds of one run of CMD (output discarded).
elapsed() {
	vs_bench time "$@" 2>&1 >/dev/null | awk '/^elapsed:/ { print $2 }'
}

# vsock_diag against ss --vsock over 10,000 sockets (half listening, half bound), A/B interleaved.
bench_diag() {
	n=10000
	vs_bench socks $n 20000 >/tmp/socks.out 2>&1 &
	sp=$!
	until grep -q '^ready' /tmp/socks.out; do
		kill -0 $sp 2>/dev/null || vs_fail "vs_bench socks: $(cat /tmp/socks.out)"
		sleep 0.1
	done
	a=$(vsock_diag -a -H | wc -l)
	b=$(ss -H -a --vsock | wc -l)
	[ "$a" -ge $n ] && [ "$a" -eq "$b" ] || vs_fail "vsock_diag lists $a sockets, ss $b (expected >= $n)"
	echo "listing $a vsock sockets: vsock_diag -a against ss -a --vsock (and both with -p), $1 rounds A/B interleaved"
	: >/tmp/vd.txt; : >/tmp/ss.txt; : >/tmp/vdp.txt; : >/tmp/ssp.txt
	r=1
	while [ $r -le "$1" ]; do
		x=$(elapsed vsock_diag -a); y=$(elapsed ss -a --vsock)
		xp=$(elapsed vsock_diag -a -p); yp=$(elapsed ss -a --vsock -p)
		echo "$x" >>/tmp/vd.txt; echo "$y" >>/tmp/ss.txt; echo "$xp" >>/tmp/vdp.txt; echo "$yp" >>/tmp/ssp.txt
		printf 'round %d: vsock_diag %.3f s, ss %.3f s; with -p: vsock_diag %.3f s, ss %.3f s\n' $r "$x" "$y" "$xp" "$yp"
		r=$((r + 1))
	done
	awk -v a="$(median </tmp/vd.txt)" -v b="$(median </tmp/ss.txt)" -v c="$(median </tmp/vdp.txt)" \
		-v d="$(median </tmp/ssp.txt)" -v n="$a" 'BEGIN {
		printf "median over %d sockets: vsock_diag -a %.3f s, ss -a --vsock %.3f s: vsock_diag/ss %.2f\n", n, a, b, a / b
		printf "median with -p: vsock_diag %.3f s, ss %.3f s: vsock_diag/ss %.2f\n", c, d, c / d
	}'
	printf 'once: vsock_diag -a --json %.3f s, vsock_diag -a --credit %.3f s (BPF load included)\n' \
		"$(elapsed vsock_diag -a --json)" "$(elapsed vsock_diag -a --credit)"
	kill $sp
	wait $sp 2>/dev/null || true	# ended by our kill
}

median() { # numbers on stdin
	sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

if [ "${1:-}" = diag ]; then
	bench_diag "${2:-7}"
	exit 0
fi

mode=all
[ "${1:-}" = overhead ] && { mode=overhead; shift; }
rounds=${1:-7}
bytes=268435456
[ $mode = all ] && bytes=${2:-$bytes}
block=65536
port=5201

# Gbit/s of one vsock_perf run (the receiver's rx performance: wall time of the
# receive loop): run_perf [BLOCK [BYTES [SENDER OPTIONS...]]]
run_perf() {
	b=${1:-$block}
	n=${2:-$bytes}
	[ $# -gt 2 ] && shift 2 || set --
	vsock_perf --port $port --buf-size $b --interval 0 >/tmp/rx.out 2>&1 &
	vs_wait_listen $port
	vsock_perf --sender 1 --port $port --bytes $n --buf-size $b --interval 0 "$@" >/tmp/tx.out 2>&1 ||
		vs_fail "vsock_perf sender failed: $(cat /tmp/tx.out)"
	wait $! || vs_fail "vsock_perf receiver failed: $(cat /tmp/rx.out)"
	vs_field /tmp/rx.out 'rx performance: ' | cut -d' ' -f1
}

# Gbit/s of one socat transfer, timed from connect to the receiver's exit.
run_socat() {
	socat -u -b $block VSOCK-LISTEN:$port OPEN:/dev/null 2>/tmp/srx.err &
	rx=$!
	vs_wait_listen $port
	vs_bench time socat -u -b $block OPEN:/dev/zero,readbytes=$bytes VSOCK-CONNECT:1:$port \
		2>/tmp/stx.err || vs_fail "socat sender failed: $(cat /tmp/stx.err)"
	wait $rx || vs_fail "socat receiver failed: $(cat /tmp/srx.err)"
	awk -v b=$bytes '/^elapsed:/ { printf "%f\n", b * 8 / 1e9 / $2 }' /tmp/stx.err
}

# Tracing overhead: the tracer loads before each traced transfer starts, so the
# receiver's rate measures the transfer with every hook attached. Runs swing
# more than the difference measured, so this part takes 2 * ROUNDS + 1 rounds
# and gives both the ratio of the medians and the median of each round's ratio.
bench_overhead() {
	orounds=$((2 * $1 + 1))
	for b in 4096 65536; do
		n=$((b == 4096 ? 33554432 : bytes))
		: >/tmp/plain.txt
		: >/tmp/traced.txt
		: >/tmp/ratio.txt
		echo "tracing overhead: $n bytes in $b-byte buffers, $orounds rounds A/B interleaved${2:+ (guest clock: $2)}"
		r=1
		while [ $r -le "$orounds" ]; do
			a=$(run_perf $b $n)
			t=$(run_perf $b $n --trace)
			grep -q "equal to vsock_perf's counts" /tmp/tx.out || vs_fail "traced run: $(cat /tmp/tx.out)"
			echo "$a" >>/tmp/plain.txt
			echo "$t" >>/tmp/traced.txt
			awk -v a="$a" -v t="$t" 'BEGIN { print t / a }' >>/tmp/ratio.txt
			printf 'round %d: untraced %6.3f Gbit/s   traced %6.3f Gbit/s\n' $r "$a" "$t"
			r=$((r + 1))
		done
		awk -v a="$(median </tmp/plain.txt)" -v t="$(median </tmp/traced.txt)" -v q="$(median </tmp/ratio.txt)" -v b=$b 'BEGIN {
			printf "median at %d-byte buffers: untraced %.3f Gbit/s, traced %.3f Gbit/s: traced/untraced %.1f%% (median of the rounds\x27 ratios %.1f%%)\n", b, a, t, 100 * t / a, 100 * q
		}'
	done
}

if [ $mode = overhead ]; then
	bench_overhead "$rounds" "${2:-}"
	exit 0
fi

echo "bench: kernel $(uname -r), $(nproc) vCPUs (QEMU TCG), $bytes bytes per run, $block-byte blocks, $rounds rounds A/B interleaved"
: >/tmp/perf.txt
: >/tmp/socat.txt
: >/tmp/memcpy.txt
r=1
while [ $r -le "$rounds" ]; do
	a=$(run_perf)
	b=$(run_socat)
	m=$(vs_bench memcpy 64M $block | sed 's/.*: \([0-9.]*\) Gbits.*/\1/')
	echo "$a" >>/tmp/perf.txt
	echo "$b" >>/tmp/socat.txt
	echo "$m" >>/tmp/memcpy.txt
	printf 'round %d: vsock_perf %6.3f Gbit/s   socat %6.3f Gbit/s   memcpy %7.2f Gbit/s\n' $r "$a" "$b" "$m"
	r=$((r + 1))
done
mp=$(median </tmp/perf.txt)
ms=$(median </tmp/socat.txt)
mm=$(median </tmp/memcpy.txt)
awk -v p="$mp" -v s="$ms" -v m="$mm" 'BEGIN {
	printf "median: vsock_perf %.3f Gbit/s, socat %.3f Gbit/s, ratio vsock_perf/socat %.2f\n", p, s, p / s
	printf "median memcpy %.2f Gbit/s: two-copy ceiling %.2f Gbit/s; vsock_perf reaches %.0f%% of it\n", m, m / 2, 100 * p / (m / 2)
}'

bench_overhead "$rounds"
bench_diag "$rounds"
