#!/bin/bash
# make report: scripts/report.sh [--quick] [--kernels "6.1 6.12"] [--zc-kernel K|none] [--out DIR]
# Boots the test VM once per kernel to run scripts/report_guest.sh (the sweeps and two traced
# transfers), then once on the patched kernel for rx_zerocopy --compare, extracts the files,
# renders every plot as PNG and SVG, and writes DIR/report.md (default build/report) with the
# plots, the tables behind them, the machine and kernel facts, and the command that
# reproduces each figure.
#
# Kernels: REPORT_KERNELS (or --kernels) lists tests/vm/run --kernel names for the sweeps.
# Zerocopy: REPORT_ZC_KERNEL (or --zc-kernel, default patched; none skips it) is built with
# scripts/kernel.sh when it is missing (cached; 6-9 min cold) and runs report_guest.sh
# --zerocopy-only: its rx_zerocopy --compare CSV is the copy/zerocopy figure. A kernel of
# REPORT_KERNELS with zerocopy receive exports that CSV itself and no extra boot is made.
# When the patched kernel cannot be built or run, the report says why and draws no figure.
# REPORT_ZEROCOPY_CSV=FILE draws FILE instead (format: plots/schema.md), marked as given.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
quick='' out=build/report kernels=${REPORT_KERNELS:-6.1 6.12} zck=${REPORT_ZC_KERNEL-patched}
while [ $# -gt 0 ]; do
	case $1 in
	--quick) quick=--quick; shift ;;
	--kernels|--out|--zc-kernel)
		[ $# -ge 2 ] || { echo "report: $1 needs a value" >&2; exit 2; }
		case $1 in --kernels) kernels=$2 ;; --out) out=$2 ;; --zc-kernel) zck=$2 ;; esac
		shift 2 ;;
	-h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "report: unknown option '$1' (try --help)" >&2; exit 2 ;;
	esac
done
[ "$zck" = none ] && zck=''
zcsv=${REPORT_ZEROCOPY_CSV:-}
if [ -n "$zcsv" ]; then
	[ -s "$zcsv" ] || { echo "report: REPORT_ZEROCOPY_CSV '$zcsv': no such file, or empty" >&2; exit 2; }
	zcsv=$(cd "$(dirname "$zcsv")" && pwd)/$(basename "$zcsv")
fi
t0=$EPOCHREALTIME
rm -rf "$out"
mkdir -p "$out/figures" "$out/data"
out=$(cd "$out" && pwd)
fig=$out/figures

# ------------------------------------------------------------ measure (in the VM)
for k in $kernels; do
	echo "== report: kernel $k: tests/vm/run --kernel $k --timeout 1800 scripts/report_guest.sh $quick"
	tk=$EPOCHREALTIME
	# The guest's progress streams through; the exported files only go to the log.
	set +e
	tests/vm/run --kernel "$k" --timeout 1800 scripts/report_guest.sh $quick 2>&1 |
		tee "$out/data/log-$k.txt" |
		awk '/^@@vsockscope-file / { skip = 1 } !skip { print; fflush() } /^@@vsockscope-end / { skip = 0 }'
	rc=${PIPESTATUS[0]}
	set -e
	[ "$rc" -eq 0 ] || { echo "report: the VM run on kernel $k failed (exit $rc): see $out/data/log-$k.txt" >&2; exit 1; }
	scripts/vm_extract "$out/data/log-$k.txt" "$out/data/$k"
	awk -v a="$tk" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f\n", b - a }' >"$out/data/$k/seconds"
done

# ------------------------------------------------------------ zerocopy (patched kernel)
# zc: the CSV drawn; zc_from: measured (the kernel) or given; zc_note: why there is none.
zc='' zc_from='' zc_note='' zc_log=''
if [ -n "$zcsv" ]; then
	cp "$zcsv" "$out/data/zerocopy.csv"
	zc=$out/data/zerocopy.csv zc_from=given
else
	for k in $kernels; do
		[ -z "$zc" ] && [ -f "$out/data/$k/zerocopy.csv" ] &&
			zc=$out/data/$k/zerocopy.csv zc_from=$k zc_log=$out/data/log-$k.txt
	done
fi
if [ -z "$zc" ] && [ -n "$zck" ]; then
	zd=$out/data/zc-$zck
	mkdir -p "$zd"
	kbuilt=1
	case $zck in
	patched|patched-kasan)
		kopt=()
		[ "$zck" = patched-kasan ] && kopt=(--kasan)
		echo "== report: kernel $zck: scripts/kernel.sh ${kopt[*]} (cached; 6-9 min when cold)"
		set +e
		# its progress lines show live; everything goes to the log
		scripts/kernel.sh "${kopt[@]}" 2>&1 >/dev/null | tee "$zd/kernel-build.txt" |
			grep --line-buffered '^scripts/kernel.sh: '
		rc=${PIPESTATUS[0]}
		set -e
		if [ "$rc" -ne 0 ]; then
			kbuilt=0
			why=$(grep '^scripts/kernel.sh: ' "$zd/kernel-build.txt" | tail -n 1)
			[ -n "$why" ] || why=$(grep -v '^ *$' "$zd/kernel-build.txt" | tail -n 1)
			zc_note="the patched kernel could not be built on this machine (exit $rc): \`${why:-no output}\` (log: data/zc-$zck/kernel-build.txt)"
		fi ;;
	esac
	if [ $kbuilt = 1 ]; then
		echo "== report: kernel $zck: tests/vm/run --kernel $zck --timeout 1800 scripts/report_guest.sh --zerocopy-only $quick"
		tk=$EPOCHREALTIME
		set +e
		tests/vm/run --kernel "$zck" --timeout 1800 scripts/report_guest.sh --zerocopy-only $quick 2>&1 |
			tee "$zd/log.txt" |
			awk '/^@@vsockscope-file / { skip = 1 } !skip { print; fflush() } /^@@vsockscope-end / { skip = 0 }'
		rc=${PIPESTATUS[0]}
		set -e
		if [ "$rc" -eq 0 ] && scripts/vm_extract "$zd/log.txt" "$zd" && [ -s "$zd/zerocopy.csv" ]; then
			zc=$zd/zerocopy.csv zc_from=$zck zc_log=$zd/log.txt
			awk -v a="$tk" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f\n", b - a }' >"$zd/seconds"
		else
			zc_note="the rx_zerocopy --compare run on kernel $zck failed (exit $rc): $(grep -E 'FAIL|rx_zerocopy:|tests/vm/run:' "$zd/log.txt" | tail -n 1) (log: data/zc-$zck/log.txt)"
		fi
	fi
elif [ -z "$zc" ]; then
	zc_note="no kernel with zerocopy receive was asked for (REPORT_ZC_KERNEL=none)"
fi
[ -n "$zc_note" ] && echo "report: no copy/zerocopy figure: $zc_note" >&2

# merge NAME: the kernels' NAME.csv as one (the header once).
merge() {
	local first=1 k
	for k in $kernels; do
		if [ $first = 1 ]; then cat "$out/data/$k/$1.csv"; first=0
		else tail -n +2 "$out/data/$k/$1.csv"; fi
	done >"$out/data/$1.csv"
}
merge bufsizes
merge streams
merge vsk

# ------------------------------------------------------------ render
# render NAME KIND ARGS...: NAME.png and NAME.svg, the command kept for the report.
declare -A cmd
render() {
	local name=$1
	shift
	plots/plot "$@" -o "$fig/$name.png"
	plots/plot "$@" -o "$fig/$name.svg"
	local a shown=''
	for a in "$@"; do
		a=${a//$out\//}
		case $a in *[\ \(\),]*) shown+="'$a' " ;; *) shown+="$a " ;; esac
	done
	cmd[$name]="plots/plot ${shown}-o $name.png"
}
csvs() { local k; for k in $kernels; do printf '%s ' "$out/data/$k/$1.csv"; done; }
klist=$(echo $kernels | sed 's/ /, /g')
# shellcheck disable=SC2046
render throughput throughput --title "vsock loopback throughput by buffer size (kernels $klist)" $(csvs bufsizes)
# shellcheck disable=SC2046
render cpu cpu --title "CPU cost per GiB by buffer size (kernels $klist)" $(csvs bufsizes)
# shellcheck disable=SC2046
render streams throughput --x streams --title "Throughput by stream count, 64 KiB buffers (kernels $klist)" $(csvs streams)
# shellcheck disable=SC2046
render vsk throughput --x vsk_size --title "Throughput by vsock buffer size, 64 KiB buffers (kernels $klist)" $(csvs vsk)
rl=()
for k in $kernels; do rl+=("$k=$out/data/$k/readlat.jsonl"); done
render readlat readlat --title "recvmsg() latency of a receiver reading 64 KiB at a time (kernels $klist)" "${rl[@]}"
for k in $kernels; do
	render "credit-$k" credit --title "Credit of a sender whose receiver pauses 300 ms (kernel $k)" \
		"$out/data/$k/credit.jsonl"
done
if [ -n "$zc" ]; then
	case $zc_from in
	given) zt="Receive: copy against zerocopy (given CSV, not measured by this run)" ;;
	*) zt="Copy vs zerocopy receive (rx_zerocopy --compare, kernel $zc_from)" ;;
	esac
	render zerocopy zerocopy --title "$zt" "$zc"
fi

# ------------------------------------------------------------ write report.md
# table CSV: a Markdown table of a sweep CSV (the numbers behind a figure).
table() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
		print "| kernel | type | buffer | vsk | streams | runs ok/failed | Gbit/s median | min | max | CPU s/GiB | sender µs/MiB | receiver µs/MiB |"
		print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"; next }
	{ printf "| %s | %s | %s | %s | %s | %s/%s | %s | %s | %s | %s | %s | %s |\n", $c["label"], $c["type"],
		$c["buf_size"], $c["vsk_size"], $c["streams"], $c["runs_ok"], $c["runs_failed"],
		v($c["gbps_median"], "%.3f"), v($c["gbps_min"], "%.3f"), v($c["gbps_max"], "%.3f"),
		v($c["cpu_s_per_gib"], "%.1f"), v($c["tx_cpu_us_per_mib"], "%.0f"), v($c["rx_cpu_us_per_mib"], "%.0f") }
	function v(x, f) { return x == "" ? "–" : sprintf(f, x) }' "$1"
}
# failures NAME: every failed run of the kernels' NAME.json, with its error.
failures() {
	local k j n i r m err
	for k in $kernels; do
		j=$out/data/$k/$1.json
		n=$(build/testbin/vs_jsonget "$j" points.#)
		for ((i = 0; i < n; i++)); do
			[ "$(build/testbin/vs_jsonget "$j" points.$i.runs_failed)" = 0 ] && continue
			m=$(build/testbin/vs_jsonget "$j" points.$i.runs.#)
			for ((r = 0; r < m; r++)); do
				err=$(build/testbin/vs_jsonget "$j" points.$i.runs.$r.error)
				[ "$err" = null ] && continue
				echo "- $k, $(build/testbin/vs_jsonget "$j" points.$i.type) $(build/testbin/vs_jsonget "$j" points.$i.buf_size) B, run $((r + 1)): $err"
			done
		done
	done
}
fact() { sed -n "s/^$2=//p" "$out/data/$1/facts.txt"; }
figure() { # NAME CAPTION
	echo "![$2](figures/$1.png)"
	echo
	echo "[SVG](figures/$1.svg). Reproduce: \`${cmd[$1]}\` in \`$out\`."
	echo
}

elapsed=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
{
	echo "# vsockscope report"
	echo
	echo "Made by \`make report\`${quick:+ (quick grid)} on $(date -u '+%Y-%m-%d %H:%M UTC') in ${elapsed} s."
	echo "Everything ran over \`vsock_loopback\` inside the project's QEMU test VM, under TCG: the"
	echo "figures compare kernels and settings on this machine and say little about real hardware."
	echo
	echo "## Machine and kernels"
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| host CPU | $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) CPUs (shared with other jobs) |"
	echo "| host kernel | $(uname -r) |"
	echo "| QEMU | $(qemu-system-x86_64 --version | head -n 1), TCG (\`-accel tcg,thread=multi -cpu max -smp 2 -m 1024\`) |"
	for k in $kernels; do
		echo "| guest kernel $k | $(fact "$k" kernel_release), $(fact "$k" cpus) vCPUs ($(fact "$k" cpu_model)); its VM run took $(cat "$out/data/$k/seconds") s |"
	done
	if [ -n "$zc_from" ] && [ "$zc_from" != given ] && [ -f "$out/data/zc-$zc_from/facts.txt" ]; then
		echo "| guest kernel $zc_from (zerocopy) | $(sed -n 's/^kernel_release=//p' "$out/data/zc-$zc_from/facts.txt"), $(sed -n 's/^cpus=//p' "$out/data/zc-$zc_from/facts.txt") vCPUs; its VM run took $(cat "$out/data/zc-$zc_from/seconds") s |"
	fi
	echo "| gnuplot | $(gnuplot --version) |"
	echo
	echo "Each kernel's measurements come from one VM boot: \`tests/vm/run --kernel K --timeout 1800"
	echo "scripts/report_guest.sh${quick:+ --quick}\`. Its sweeps are \`$(build/testbin/vs_jsonget "$out/data/$(echo $kernels | cut -d' ' -f1)/bufsizes.json" command)\`"
	echo "and the two below; each point's vsock_perf commands are in the sweep's JSON (\`data/K/*.json\`)."
	echo "The runs of a sweep go round by round over the grid, so a slow minute spreads over every point;"
	echo "error bars are the min and max of a point's runs."
	echo
	echo "## Throughput by buffer size"
	echo
	echo "Receiver's rate (vsock_perf's rx performance) against the size of each write() and read(),"
	echo "STREAM and SEQPACKET, 256 KiB vsock buffers, one stream."
	echo
	figure throughput "Gbit/s against buffer size"
	table "$out/data/bufsizes.csv"
	echo
	f=$(failures bufsizes)
	if [ -n "$f" ]; then echo "Failed runs, with the error each printed (left out of the figure and the medians):"; echo; echo "$f"; echo; fi
	if grep -q '"skipped": "' "$out"/data/*/bufsizes.json; then
		echo "Skipped points: a SEQPACKET message larger than the vsock buffer is refused by the kernel, so the sweep does not run those."
		echo
	fi
	echo "## CPU cost per GiB"
	echo
	echo "CPU time of the sender and the receiver together (user + system, from getrusage) per GiB moved,"
	echo "for the same runs (the medians of the table above)."
	echo
	figure cpu "CPU seconds per GiB against buffer size"
	echo "## Throughput by stream count"
	echo
	figure streams "Gbit/s against streams"
	table "$out/data/streams.csv"
	echo
	echo "## Throughput by vsock buffer size"
	echo
	figure vsk "Gbit/s against vsock buffer size"
	table "$out/data/vsk.csv"
	echo
	echo "## Read latency"
	echo
	echo "\`vsock_trace readlat --json -p RECEIVER\` while a receiver reads a transfer in 64 KiB reads: the share of"
	echo "recvmsg() calls per log2 latency slot, for each kernel."
	echo
	figure readlat "recvmsg() latency histogram"
	echo "## Credit timeline"
	echo
	echo "\`vsock_trace credit --json 0.1\` while a sender sends 32 MiB to a receiver that stops reading for"
	echo "300 ms after its first read (\`vsock_perf --stall-rx 300\`). Top: the sender's available credit at"
	echo "each sample and its send rate; bottom: credit updates received and credit stalls that ended in"
	echo "each interval, with the stall time they add up to. The pause shows as credit at zero, no"
	echo "updates, then one stall of about 300 ms."
	echo
	for k in $kernels; do figure "credit-$k" "credit timeline, kernel $k"; done
	echo "## Copy against zerocopy receive"
	echo
	if [ -n "$zc" ]; then
		if [ "$zc_from" = given ]; then
			echo "**Not measured by this run:** the CSV was given with \`REPORT_ZEROCOPY_CSV=$zcsv\`."
		else
			echo "\`rx_zerocopy --compare\` on kernel $zc_from (kernel-patches/): the server sends each point's"
			echo "transfer in writes of N pages, the client receives it with read()s of N pages (copy) or maps it"
			echo "into an N-page window of the socket (zerocopy); the modes alternate, one connection per run."
			echo "Bars are the median receive rate, error bars the slowest and fastest run. Command, in the VM:"
			echo "\`$(sed -n 's/^== \(rx_zerocopy --mode client .*\)/\1/p' "$zc_log" | head -n 1)\`"
			echo "against \`rx_zerocopy --mode server --port 1300 --loop\`."
		fi
		echo
		figure zerocopy "copy against zerocopy"
		awk -F, 'NR == 1 { print "| kernel | buffer (bytes) | mode | runs | Gbit/s median | min | max | receiver CPU s/GiB |"
			print "|---|--:|---|--:|--:|--:|--:|--:|"; next }
			{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4,
				v($5, "%.3f"), v($6, "%.3f"), v($7, "%.3f"), v($8, "%.2f") }
			function v(x, f) { return x == "" ? "–" : sprintf(f, x) }' "$zc"
		echo
	else
		echo "**Not measured:** $zc_note. There is no figure: the copy/zerocopy comparison needs the"
		echo "patched kernel (\`make kernel\`, then \`tests/vm/run --kernel patched\`). \`make check\`"
		echo "renders this figure only from tests/fixtures/zerocopy.csv (an earlier run's data), to test the"
		echo "plot script: it is no measurement of this machine."
		echo
	fi
} >"$out/report.md"
echo "== report: $out/report.md ($(ls "$fig" | wc -l) figure files) in ${elapsed} s"
