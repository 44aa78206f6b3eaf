package io.skypanel.common.metrics;

import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * One Prometheus registry per process, wired into Vert.x (HTTP server/client, pools, event bus) and the
 * JVM. Services add their own meters to {@link #registry()}.
 */
public final class Metrics {

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  public Metrics() {
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public MicrometerMetricsFactory factory() {
    return new MicrometerMetricsFactory(registry);
  }

  /** Options that enable Vert.x metrics; pass them together with {@link #factory()} to the Vertx builder. */
  public VertxOptions vertxOptions() {
    return new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(false)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        // raw TCP client metrics add nothing over the HTTP, pool and Redis views, and register a conflicting untagged gauge
        .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)));
  }
}
