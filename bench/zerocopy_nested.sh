#!/bin/sh
# make bench-zerocopy-nested: rx_zerocopy --compare across the real host<->guest path, both
# directions. Both sides of a nested run (tests/vm/run --guest, see tests/vm/nested/harness.bash):
#   tests/vm/run --kernel patched --guest-kernel patched --timeout 3600 \
#     --guest bench/zerocopy_nested.sh bench/zerocopy_nested.sh [ROUNDS] [MB]
# Guest to host: the server (sender) in the nested guest, the --compare client in the host VM,
# whose receive queue vhost_vsock fills. Host to guest: the reverse, the guest's queue filled
# by the virtio guest driver. Copy against zerocopy receive at rx = tx = 8/32/64/256/512 pages,
# one connection per point, A/B interleaved, medians of ROUNDS (default 3) of MB MiB (default 32).
. /vsockscope/tests/vm/lib.sh

rounds=${1:-3}
mb=${2:-32}
port=5203

vs_sync hello "$(uname -r)"
echo "bench: $VSOCKSCOPE_ROLE, kernel $(uname -r) ($VSOCKSCOPE_KERNEL), $(nproc) vCPUs, CID $VSOCKSCOPE_LOCAL_CID; peer kernel $vs_peer_value; nested guest under $VSOCKSCOPE_NESTED_ACCEL"

# direction RECEIVER NAME: the receiving side runs the --compare client, the other the server;
# the receiver's status reaches the sender in the NAME_done barrier. Returns the client's status.
direction() {
	if [ "$VSOCKSCOPE_ROLE" = "$1" ]; then
		vs_sync "$2"
		echo "+ rx_zerocopy --mode client --peer-cid $VSOCKSCOPE_PEER_CID --port $port --compare --mb $mb --rounds $rounds"
		rx_zerocopy --mode client --peer-cid "$VSOCKSCOPE_PEER_CID" --port $port --compare \
			--mb "$mb" --rounds "$rounds"
		_rc=$?
		vs_sync "${2}_done" $_rc
		return $_rc
	fi
	rx_zerocopy --mode server --port $port --loop --interval 0 >/tmp/zs.out 2>&1 &
	_server=$!
	vs_wait_listen $port
	vs_sync "$2"
	vs_sync "${2}_done"
	kill $_server
	wait $_server
	return "$vs_peer_value"
}

[ "$VSOCKSCOPE_ROLE" = host ] && echo "== guest to host (the host VM receives: vhost_vsock)"
direction host g2h
rc1=$?
[ "$VSOCKSCOPE_ROLE" = guest ] && echo "== host to guest (the nested guest receives: virtio guest driver)"
direction guest h2g
rc2=$?
[ $rc1 = 0 ] && [ $rc2 = 0 ]
