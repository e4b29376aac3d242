#!/bin/sh
# make bench-zerocopy: runs inside the test VM (tests/vm/run --kernel K bench/zerocopy.sh
# [ROUNDS] [MB] [RELEASE]). rx_zerocopy --compare: copy against zerocopy receive at rx = tx =
# 8/32/64/256/512 pages, one connection per point, A/B interleaved, medians. RELEASE is
# rx_zerocopy's --release (implicit, the default, or madvise).
# On a kernel without kernel-patches/ only the copy row is measured (and it says so).
. /vsockscope/tests/vm/lib.sh

rounds=${1:-3}
mb=${2:-256}
release=${3:-implicit}
port=5202

clock="wall clock"
grep -qw vsockscope.icount=1 /proc/cmdline &&
	clock="instructions (tests/vm/run --icount: 1 ns per executed instruction)"
echo "bench: kernel $(uname -r) ($VSOCKSCOPE_KERNEL), $(nproc) vCPUs (QEMU TCG), clock: $clock"
rx_zerocopy --mode server --port $port --loop --interval 0 >/tmp/zs.out 2>&1 &
server=$!
vs_wait_listen $port
echo "+ rx_zerocopy --mode client --peer-cid 1 --port $port --compare --mb $mb --rounds $rounds --release $release"
rx_zerocopy --mode client --peer-cid 1 --port $port --compare --mb "$mb" --rounds "$rounds" \
	--release "$release"
rc=$?
kill $server
wait $server
exit $rc
