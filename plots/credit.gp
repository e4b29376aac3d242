# Credit timeline of one sending connection: its available credit (top, with the sending
# rate), and per interval the credit updates it received and the credit stalls that ended
# (bottom). Variables: data (vs_plotdata credit table), step (seconds per interval).
load dir."/common.gp"
set multiplot layout 2,1 title title font ",14"
unset title
set lmargin 12
set rmargin 38
set key at screen 0.99, graph 1 right top vertical Left reverse noenhanced box lc rgb "#cccccc"
set xrange [*:*]
set ylabel "credit (KiB)"
set y2label "Mbit/s" offset -1,0
set y2tics nomirror
set ytics nomirror
set yrange [0:*]
set y2range [0:*]
set format x ""
set bmargin 1
plot data using 1:2 with fillsteps fs solid 0.25 lc rgb "#1f77b4" title "available credit", \
     "" using 1:2 with steps lt 1 notitle, \
     "" using 1:6 axes x1y2 with lines lt 4 lw 1.5 title "send rate"
set format x "%g"
set bmargin 4
set tmargin 1
unset y2label
unset y2tics
set xlabel sprintf("seconds since vsock_trace attached (one sample every %g s)", step) noenhanced
set ylabel "per interval"
set y2label "stall ms" offset -1,0
set y2tics nomirror
set style fill solid 0.8 border -1
set boxwidth step * 0.4 absolute
plot data using ($1 - step * 0.2):3 with boxes lt 1 title "credit updates received", \
     "" using ($1 + step * 0.2):4 with boxes lt 2 title "credit stalls ended", \
     "" using 1:5 axes x1y2 with points lt 4 pt 7 ps 0.8 title "stall time ended (ms)"
unset multiplot
