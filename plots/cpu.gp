# CPU cost: CPU seconds (sender and receiver together) per GiB moved, against a grid axis,
# one line per series. Log y: small buffers cost tens of times more than large ones.
# Variables: data (blocks: x cpu_s_per_gib tx_us_per_mib rx_us_per_mib ticlabel), n, xlabel, logx.
load dir."/common.gp"
set xlabel xlabel noenhanced
set ylabel "CPU seconds per GiB moved (sender + receiver, median)"
if (logx) { set logscale x 2 }
set logscale y 10
set offsets graph 0.03, graph 0.03, 0, 0
# byte sizes (log axis) get slanted labels; stream counts are short and stay upright
if (logx) { set xtics rotate by -60 left } else { set xtics norotate center }
plot for [i=0:n-1] data index i using 1:2:xtic(5) with linespoints title columnheader(1)
