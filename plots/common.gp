# Shared by every plot: the terminal from the output's extension (term: pngcairo or svg),
# fonts and a light grid. Variables set by plots/plot: out, term, title.
if (!exists("height")) { height = 560 }
if (term eq "svg") {
    set terminal svg size 960,height dynamic enhanced font "Helvetica,13" background rgb "white"
} else {
    set terminal pngcairo size 960,height enhanced font "Sans,11" background rgb "white"
}
set output out
set title title font ",14" noenhanced
set grid back lc rgb "#dddddd" lw 1
set border 3 lc rgb "#444444"
set tics nomirror
set key outside right top vertical Left reverse noenhanced box lc rgb "#cccccc"
set datafile missing "?"
set linetype 1 lc rgb "#1f77b4" lw 2 pt 7 ps 0.9
set linetype 2 lc rgb "#d62728" lw 2 pt 5 ps 0.9
set linetype 3 lc rgb "#2ca02c" lw 2 pt 9 ps 1.0
set linetype 4 lc rgb "#ff7f0e" lw 2 pt 11 ps 1.0
set linetype 5 lc rgb "#9467bd" lw 2 pt 13 ps 1.0
set linetype 6 lc rgb "#8c564b" lw 2 pt 15 ps 1.0
set linetype 7 lc rgb "#17becf" lw 2 pt 6 ps 0.9
set linetype 8 lc rgb "#7f7f7f" lw 2 pt 4 ps 0.9
