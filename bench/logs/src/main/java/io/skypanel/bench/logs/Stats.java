package io.skypanel.bench.logs;

import java.util.Arrays;
import java.util.List;

/** Nearest-rank percentiles and medians of a run's samples, printed the same way for the console and its peer. */
final class Stats {

  private Stats() {
  }

  /** The nearest-rank percentile {@code q} (0..1) of {@code values}. */
  static double percentile(double[] values, double q) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  static double median(List<Double> values) {
    return percentile(values.stream().mapToDouble(Double::doubleValue).toArray(), 0.5);
  }

  static double min(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
  }

  static double max(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }
}
