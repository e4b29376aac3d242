#!/bin/sh
# make report, guest side: tests/vm/run [--kernel K] scripts/report_guest.sh [--quick]
# Runs in the test VM and prints every result file with vs_export, for scripts/report.sh on
# the host to extract and plot:
#   facts.txt         the guest's kernel, CPUs and CPU model
#   bufsizes.csv/json vsock_sweep over buffer sizes 64 B to 1 MiB, STREAM and SEQPACKET
#   streams.csv/json  vsock_sweep over 1, 2, 4, 8 streams at 64 KiB buffers (STREAM)
#   vsk.csv/json      vsock_sweep over vsock buffer sizes at 64 KiB buffers (STREAM)
#   readlat.jsonl     vsock_trace readlat --json of a receiver reading 64 MiB in 64 KiB reads
#   credit.jsonl      vsock_trace credit --json 0.1 of a sender whose receiver stops reading
#                     for 300 ms (vsock_perf --stall-rx 300)
#   zerocopy.csv/json rx_zerocopy --compare --csv (copy against zerocopy receive), only on a
#                     kernel with zerocopy receive (the patched one, kernel-patches/)
# --quick: a tiny grid and one run per point (the VM test and a fast look).
# --zerocopy-only: facts.txt and the zerocopy files, no sweeps and no traces (make report
#                  runs it on the patched kernel); it fails on a kernel without zerocopy.
. /vsockscope/tests/vm/lib.sh

label=${VSOCKSCOPE_KERNEL:-$(uname -r)}
port=1300
out=/tmp/report
mkdir -p $out
quick=0 zc_only=0
for a; do
	case $a in
	--quick) quick=1 ;;
	--zerocopy-only) zc_only=1 ;;
	*) vs_fail "report_guest.sh: unknown option '$a'" ;;
	esac
done
if [ $quick = 1 ]; then
	grid="--repeat 1 --time 0.2"
	bufs="--buf-sizes 64,64K"
	streams=1,2 vsks=64K,256K bytes=4M
	zc_mb=4 zc_rounds=1
else
	grid="--repeat 5 --time 0.5"
	bufs=
	streams=1,2,4,8 vsks=64K,128K,256K,512K,1M bytes=64M
	zc_mb=64 zc_rounds=3
fi

{
	echo "kernel_label=$label"
	echo "kernel_release=$(uname -r)"
	echo "kernel_version=$(cat /proc/version)"
	echo "cpus=$(nproc)"
	echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "memory_kib=$(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo)"
} >$out/facts.txt
cat $out/facts.txt

# zerocopy: rx_zerocopy --compare on this kernel, its CSV and JSON kept as zerocopy.csv/json.
zerocopy() {
	echo "== rx_zerocopy --mode client --peer-cid 1 --port $port --compare --mb $zc_mb --rounds $zc_rounds --json --csv zerocopy.csv --label $label"
	rx_zerocopy --mode server --port $port --loop --interval 0 >/tmp/zs.out 2>&1 &
	zs=$!
	vs_wait_listen $port
	rx_zerocopy --mode client --peer-cid 1 --port $port --compare --mb $zc_mb \
		--rounds $zc_rounds --json --csv $out/zerocopy.csv --label "$label" >$out/zerocopy.json ||
		{ rc=$?; cat $out/zerocopy.json; }
	kill $zs
	wait $zs
	[ "${rc:-0}" = 0 ] || vs_fail "rx_zerocopy --compare failed (exit $rc): the report has no zerocopy figure"
	cat $out/zerocopy.csv
	vs_export $out/zerocopy.csv
	vs_export $out/zerocopy.json
}
if [ $zc_only = 1 ]; then
	zc_test --probe 2>/dev/null ||
		vs_fail "kernel $label ($(uname -r)) has no vsock zerocopy receive (kernel-patches/ not applied)"
	zerocopy
	vs_export $out/facts.txt
	exit 0
fi

# sweep NAME ARGS...: one vsock_sweep, its CSV and JSON kept as NAME.csv and NAME.json.
# Failed runs are results too (the kernel refused something): the sweep goes on, its files
# count them, and the report shows them. Only a sweep that wrote no files fails here.
sweep() {
	name=$1
	shift
	echo "== vsock_sweep --label $label --out $out/$name $*"
	rm -f $out/$name.csv $out/$name.json
	vsock_sweep --label "$label" --port $port --out $out/$name "$@" ||
		echo "== note: vsock_sweep $name: some runs failed (above); the report counts them"
	[ -s $out/$name.csv ] && [ -s $out/$name.json ] || vs_fail "vsock_sweep $name wrote no results"
}
# shellcheck disable=SC2086
sweep bufsizes $grid $bufs
# shellcheck disable=SC2086
sweep streams $grid --types stream --buf-sizes 64K --streams $streams
# shellcheck disable=SC2086
sweep vsk $grid --types stream --buf-sizes 64K --vsk-sizes $vsks

echo "== read latency: vsock_trace readlat --json -p RECEIVER during a $bytes transfer in 64 KiB reads"
vsock_perf --port $port --buf-size 64K --interval 0 >/tmp/rx.out 2>&1 &
rx=$!
vs_wait_listen $port
vs_trace_bg $out/readlat.jsonl readlat --json -p $rx
vsock_perf --sender 1 --port $port --bytes $bytes --buf-size 64K --interval 0 >/tmp/tx.out 2>&1 ||
	vs_fail "sender failed: $(cat /tmp/tx.out)"
wait $rx || vs_fail "receiver failed: $(cat /tmp/rx.out)"
vs_trace_end $out/readlat.jsonl
vs_field /tmp/rx.out 'rx performance: ' >/dev/null && grep -E 'rx performance' /tmp/rx.out

echo "== credit timeline: vsock_trace credit --json 0.1 during 32 MiB to a receiver with --stall-rx 300"
vs_trace_bg $out/credit.jsonl credit --json 0.1
vsock_perf --port $port --buf-size 64K --stall-rx 300 --interval 0 >/tmp/rx.out 2>&1 &
rx=$!
vs_wait_listen $port
vsock_perf --sender 1 --port $port --bytes 32M --buf-size 64K --interval 0 >/tmp/tx.out 2>&1 ||
	vs_fail "sender failed: $(cat /tmp/tx.out)"
wait $rx || vs_fail "receiver failed: $(cat /tmp/rx.out)"
sleep 0.3
vs_trace_end $out/credit.jsonl

zc_test --probe 2>/dev/null && zerocopy

for f in facts.txt bufsizes.csv bufsizes.json streams.csv streams.json vsk.csv vsk.json \
	readlat.jsonl credit.jsonl; do
	vs_export $out/$f
done
