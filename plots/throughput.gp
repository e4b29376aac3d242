# Gbit/s against a grid axis (buffer size by default, log2 x axis), one line per series
# (kernel and socket type), error bars from the min and max of the runs.
# Variables: data (blocks from plots/plot: x median min max ticlabel), n (blocks), xlabel, logx.
load dir."/common.gp"
set xlabel xlabel noenhanced
set ylabel "throughput (Gbit/s, median of the runs; bars: min-max)"
if (logx) { set logscale x 2 }
set offsets graph 0.03, graph 0.03, graph 0.05, 0
set yrange [0:*]
# byte sizes (log axis) get slanted labels; stream counts are short and stay upright
if (logx) { set xtics rotate by -60 left } else { set xtics norotate center }
plot for [i=0:n-1] data index i using 1:2:3:4:xtic(5) with yerrorlines title columnheader(1)
