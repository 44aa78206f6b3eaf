package io.skypanel.common;

import io.vertx.core.VerticleBase;

import java.util.List;

/** A deployable service's transport verticle; the launcher prints {@link #endpoints()} once it has started. */
public abstract class ServiceVerticle extends VerticleBase {

  /** Stable name, as used in {@code SKYPANEL_SERVICES}. */
  public abstract String serviceName();

  /** The URLs this service listens on, with the ports actually bound. Valid after start. */
  public abstract List<String> endpoints();
}
