# Copy against zerocopy receive: clustered bars of Gbit/s per buffer size (and setup), with
# min-max error bars. Variables: data (a comment line, then: category copy copy_min copy_max zc
# zc_min zc_max), n (its rows).
load dir."/common.gp"
set style data histograms
set style histogram errorbars gap 1.5 lw 1.5
set style fill solid 0.85 border lc rgb "#333333"
set boxwidth 0.9
set xlabel "buffer size, bytes (each read(), or the zerocopy mapping window; the sender writes the same)"
set ylabel "throughput (Gbit/s, median; bars: min-max)"
set yrange [0:*]
set xtics norotate center
# the clusters sit at x = 0..n-1 (n: the rows of data, set by plots/plot)
set xrange [-0.6:n - 0.4]
plot data using 2:3:4:xtic(1) title "copy (read)" lt 1, \
     "" using 5:6:7 title "zerocopy" lt 3
