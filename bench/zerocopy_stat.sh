#!/bin/sh
# Scheduling and credit counts behind the zerocopy table: runs inside the test VM,
#   VSOCKSCOPE_VM_EXTRA_BINS=perf tests/vm/run --kernel patched --smp 1 [--icount] \
#       bench/zerocopy_stat.sh [PAGES...]
# For each buffer size (rx = tx, default 8 32 64) and mode, one rx_zerocopy transfer of
# 128 MiB under `perf stat -a`: context switches, credit update packets sent (tracepoint
# vsock:virtio_transport_alloc_pkt, op 6) and work items run (each run of the loopback
# worker is one and delivers the packets queued by then); then, in a second transfer, its
# context switches by kind (sched:sched_switch).
. /vsockscope/tests/vm/lib.sh
command -v perf >/dev/null ||
	{ echo "zerocopy_stat.sh: no perf in the VM (set VSOCKSCOPE_VM_EXTRA_BINS=perf)" >&2; exit 1; }
echo -1 >/proc/sys/kernel/perf_event_paranoid
port=5202
rx_zerocopy --mode server --port $port --loop --interval 0 >/tmp/zs.out 2>&1 &
server=$!
vs_wait_listen $port
rc=0
for pages in ${*:-8 32 64}; do
	for mode in copy zerocopy; do
		flag=
		[ $mode = zerocopy ] && flag=--zerocopy
		echo "== $pages pages, $mode"
		perf stat -a -x, -e context-switches \
			-e vsock:virtio_transport_alloc_pkt --filter 'op == 6' \
			-e workqueue:workqueue_execute_start -o /tmp/stat.csv -- \
			rx_zerocopy --mode client --peer-cid 1 --port $port $flag --mb 128 \
			--rx "$pages" --tx "$pages" --interval 0 >/tmp/zc.out 2>&1 || rc=1
		grep '^seconds:' /tmp/zc.out
		awk -F, '/context-switches/ {print "context switches:   " $1}
			/alloc_pkt/ {print "credit updates:     " $1}
			/workqueue_execute_start/ {print "work items run:     " $1}' /tmp/stat.csv
		# the same transfer again, its context switches by kind (R: preempted,
		# S: went to sleep, I: an idle worker)
		perf record -q -a -e sched:sched_switch -o /tmp/sw.data -- \
			rx_zerocopy --mode client --peer-cid 1 --port $port $flag --mb 128 \
			--rx "$pages" --tx "$pages" --interval 0 >/dev/null 2>&1 || rc=1
		echo "switches by kind:"
		perf script -i /tmp/sw.data -F trace 2>/dev/null |
			sed 's/prev_comm=\([^ ]*\).*prev_state=\([^ ]*\) ==> next_comm=\([^ ]*\).*/\1 (\2) -> \3/' |
			sort | uniq -c | sort -rn | head -6
	done
done
kill $server
wait $server 2>/dev/null
exit $rc
