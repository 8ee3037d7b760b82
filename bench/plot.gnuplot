# SPDX-License-Identifier: Apache-2.0
# Release latency against N (bench/release-latency.dat, written by harness.py).
set terminal pngcairo size 900,560 font "sans,11"
set output "bench/release-latency.png"
set title "Release latency: start N-1 parties, then the last; until all have exited"
set xlabel "parties (N)"
set ylabel "milliseconds (median)"
set logscale xy
set grid
set key top left
set xtics (2, 8, 100, 1000)
plot "bench/release-latency.dat" using 1:4 with linespoints lw 2 title "redis-cli peer (INCR + BLPOP)", \
     "" using 1:2 with linespoints lw 2 title "rbarrier", \
     "" using 1:3 with linespoints lw 2 dt 2 title "practical floor (minimal C party)", \
     "" using 1:5 with lines dt 3 title "floor: one process, connect + PING"
