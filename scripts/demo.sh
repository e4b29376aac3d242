#!/bin/sh
# make demo: runs inside the test VM (tests/vm/run scripts/demo.sh).
# 1. A traced transfer: vsock_perf --trace, 256 MiB in 64 KiB buffers, with
#    interval lines, then the receiver's report.
# 2. The same sender against a receiver that stops reading for 300 ms: the
#    kernel view shows the credit stall, its length and its cause. vsock_trace
#    credit --json 0.1 samples the sender's credit meanwhile; the file goes back
#    to the host (vs_export), where make demo plots it.
. /vsockscope/tests/vm/lib.sh

port=1234
echo "== vsockscope demo in the test VM: kernel $(uname -r), $(nproc) vCPUs, QEMU TCG"

receiver() {
	vsock_perf --port $port --buf-size 64K "$@" >/tmp/rx.out 2>&1 &
	rx=$!
	vs_wait_listen $port
}

receiver
echo "== sender: vsock_perf --sender 1 --port $port --bytes 256M --buf-size 64K --trace"
vsock_perf --sender 1 --port $port --bytes 256M --buf-size 64K --trace || vs_fail "the sender failed"
wait $rx || vs_fail "the receiver failed: $(cat /tmp/rx.out)"
echo "== receiver: vsock_perf --port $port --buf-size 64K"
cat /tmp/rx.out

echo
echo "== a slow reader: the receiver stops reading for 300 ms (vsock_perf --stall-rx 300)"
echo "== vsock_trace credit --json 0.1 samples the sender's credit for the plot"
vs_trace_bg /tmp/credit.jsonl credit --json 0.1
receiver --stall-rx 300 --interval 0
echo "== sender: vsock_perf --sender 1 --port $port --bytes 16M --buf-size 64K --trace --interval 0"
vsock_perf --sender 1 --port $port --bytes 16M --buf-size 64K --trace --interval 0 ||
	vs_fail "the sender failed"
wait $rx || vs_fail "the receiver failed: $(cat /tmp/rx.out)"
sleep 0.3
vs_trace_end /tmp/credit.jsonl
vs_export /tmp/credit.jsonl
