#!/bin/sh
# Small writes against a stalled reader (README, "Small writes and ENOBUFS"): runs inside the
# test VM (tests/vm/run --kernel K bench/small_writes.sh). For each write size, a vsock_perf
# receiver stops reading for 1.5 s after its first read while a sender sends 1 MiB; prints
# whether each side succeeded, and the receiver's error or byte count.
. /vsockscope/tests/vm/lib.sh
echo "kernel $(uname -r)"
port=1400
for b in 64 128 256 512 576 577 640 1024 4096; do
	vsock_perf --port $port --buf-size $b --stall-rx 1500 --interval 0 >/tmp/rx.out 2>&1 &
	rx=$!
	vs_wait_listen $port
	vsock_perf --sender 1 --port $port --bytes 1M --buf-size $b --interval 0 >/tmp/tx.out 2>&1
	txrc=$?
	wait $rx
	rxrc=$?
	echo "buf $b: sender rc $txrc: $(grep -E "send:|sent" /tmp/tx.out | tail -1 | tr '\n' ' ')| receiver rc $rxrc: $(grep -E 'read|error|total bytes received' /tmp/rx.out | head -2 | tr '\n' ' ')"
	port=$((port + 1))
done
