package io.skypanel.controlplane.paas.addons.engines;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The engines the platform offers, by catalog service name. */
public final class AddonEngines {

  private final Map<String, AddonEngine> byService = new LinkedHashMap<>();

  public AddonEngines(Collection<? extends AddonEngine> engines) {
    engines.forEach(e -> byService.put(e.service(), e));
  }

  public Optional<AddonEngine> find(String service) {
    return Optional.ofNullable(byService.get(service));
  }

  public Collection<AddonEngine> all() {
    return byService.values();
  }
}
