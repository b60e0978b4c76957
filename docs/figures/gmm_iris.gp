# Gaussian mixtures on the iris sepal measurements, from examples/gmm.cpp: left, EM with 3 full
# components; right, a Dirichlet-process mixture truncated at 6 (components of weight <= 0.01
# not drawn). Ellipses at Mahalanobis distance 1 (solid) and 2 (dashed); crosses at the means.
# gnuplot -e "data_dir='build/release/examples'; out='gmm_iris.png'" docs/figures/gmm_iris.gp
set terminal pngcairo size 1200,600 font ",11"
set output out
set datafile separator ","
points = data_dir."/gmm_iris_points.csv"
components = data_dir."/gmm_iris_components.csv"
# The active components (weight > 0.01) of the Bayesian mixture; before the ranges are set.
stats components using (($1 == 1 && $3 > 0.01) ? 1 : 0) skip 1 nooutput
active = int(STATS_sum)
set key bottom right samplen 2 spacing 1.1
set xlabel "sepal length (cm)"
set ylabel "sepal width (cm)"
set xrange [4:8.2]
set yrange [0.9:4.6]
set grid
set size ratio -1

species_name(k) = word("setosa versicolor virginica", k + 1)
colour(k) = word("#1b9e77 #d95f02 #7570b3", k + 1)

set multiplot layout 1,2
set title "GaussianMixture: 3 full components (EM)"
plot for [k=0:2] points using 1:($3 == k ? $2 : NaN) skip 1 with points pt 7 ps 0.6 \
       lc rgb colour(k) title species_name(k), \
     for [k=0:2] data_dir."/gmm_iris_ellipses.csv" \
       using ($1 == k && $3 == 1 ? $4 : NaN):5 skip 1 with lines lw 2 lc rgb colour(k) notitle, \
     for [k=0:2] data_dir."/gmm_iris_ellipses.csv" \
       using ($1 == k && $3 == 2 ? $4 : NaN):5 skip 1 with lines lw 1.5 dt 2 lc rgb colour(k) \
       notitle, \
     components using ($1 == 0 ? $4 : NaN):5 skip 1 with points pt 2 ps 2 lw 2 lc rgb "black" \
       title "component means", \
     NaN with lines lw 2 lc rgb "black" title "1 sigma", \
     NaN with lines lw 1.5 dt 2 lc rgb "black" title "2 sigma"

set title sprintf("BayesianGaussianMixture: %d of 6 components active", active)
plot for [k=0:2] points using 1:($3 == k ? $2 : NaN) skip 1 with points pt 7 ps 0.6 \
       lc rgb colour(k) title species_name(k), \
     components using ($1 == 1 && $3 > 0.01 ? $4 : NaN):5 skip 1 with points pt 2 ps 2 lw 2 \
       lc rgb "black" title "component means", \
     data_dir."/bgm_iris_ellipses.csv" using ($2 > 0.01 && $3 == 1 ? $4 : NaN):5 skip 1 \
       with lines lw 2 lc rgb "black" title "1 sigma", \
     "" using ($2 > 0.01 && $3 == 2 ? $4 : NaN):5 skip 1 with lines lw 1.5 dt 2 lc rgb "black" \
       title "2 sigma"
unset multiplot
