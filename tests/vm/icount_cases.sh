# Cases for a VM booted with tests/vm/run --icount (tests/run: suite.sh icount_cases.sh).
# There the guest's clock counts executed instructions, so a run's time is a
# property of the code, not of the host's load: make bench relies on it to
# measure the tracing overhead. These cases check that property.

# The harness marks the instruction-counted boot on the kernel command line.
icount_vm() {
	grep -qw 'vsockscope.icount=1' /proc/cmdline ||
		vs_fail "not an instruction-counted VM (no vsockscope.icount=1 in /proc/cmdline): run with tests/vm/run --icount"
}

# spread FILE: (max - min) / min of the numbers in FILE, in percent
spread() {
	sort -g "$1" | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.3f\n", (lo > 0 ? 100 * (hi - lo) / lo : 100) }'
}

# Three identical CPU-bound runs take the same guest time (within 0.5 %).
test_cpu_bound_runs_repeat() {
	icount_vm
	for i in 1 2 3; do
		vs_bench memcpy 16M 65536 | sed 's/.*: \([0-9.]*\) Gbits.*/\1/' >>rates
	done
	s=$(spread rates)
	awk -v s="$s" 'BEGIN { exit !(s < 0.5) }' ||
		vs_fail "memcpy rates differ by $s % (expected < 0.5 % on the instruction clock): $(tr '\n' ' ' <rates)"
}

# Three identical vsock transfers: every byte arrives and the receiver's rate
# repeats within 3 %. Not exactly: the order of events between sender,
# receiver and loopback worker can still differ (seen: 3 runs of 4 MiB within
# 0.12 %, and once 1.2 %); the wall clock differs by 3-18 %.
test_vsock_transfers_repeat() {
	icount_vm
	for i in 1 2 3; do
		vsock_perf --port 5201 --buf-size 4096 --interval 0 >rx.out 2>&1 &
		vs_wait_listen 5201
		vsock_perf --sender 1 --port 5201 --bytes 8M --buf-size 4096 --interval 0 >tx.out 2>&1 ||
			vs_fail "sender: $(cat tx.out)"
		wait $! || vs_fail "receiver: $(cat rx.out)"
		vs_assert_eq "bytes received" 8388608 "$(vs_field rx.out 'total bytes received: ')"
		vs_field rx.out 'rx performance: ' | cut -d' ' -f1 >>rates
	done
	s=$(spread rates)
	awk -v s="$s" 'BEGIN { exit !(s < 3) }' ||
		vs_fail "transfer rates differ by $s % (expected < 3 % on the instruction clock): $(tr '\n' ' ' <rates)"
}
