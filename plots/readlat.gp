# Read latency: the share of recvmsg() calls in each log2 latency slot, as clustered bars
# (one input: total, waiting for data, copying; several inputs: the total of each).
# Variables: data (vs_plotdata readlat table), ncol (its number of columns).
load dir."/common.gp"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border lc rgb "#333333"
set boxwidth 0.9
set xlabel "recvmsg() latency (log2 slot: from this bound to twice it)"
set ylabel "share of recvmsg() calls (%)"
set yrange [0:*]
set xtics rotate by -35 left
plot for [c=3:ncol] data using c:xtic(1) title columnheader(c)
