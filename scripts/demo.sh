#!/bin/sh
# make demo: runs inside the test VM (tests/vm/run scripts/demo.sh).
# A receiver and a sender over vsock_loopback, 256 MiB in 64 KiB buffers,
# with interval lines, then both reports.
. /vsockscope/tests/vm/lib.sh

port=1234
echo "== vsockscope demo in the test VM: kernel $(uname -r), $(nproc) vCPUs, QEMU TCG"
vsock_perf --port $port --buf-size 64K >/tmp/rx.out 2>&1 &
rx=$!
vs_wait_listen $port
echo "== sender: vsock_perf --sender 1 --port $port --bytes 256M --buf-size 64K"
vsock_perf --sender 1 --port $port --bytes 256M --buf-size 64K || vs_fail "the sender failed"
wait $rx || vs_fail "the receiver failed: $(cat /tmp/rx.out)"
echo "== receiver: vsock_perf --port $port --buf-size 64K"
cat /tmp/rx.out
