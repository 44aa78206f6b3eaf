package io.skypanel.controlplane.paas.addons;

import io.vertx.core.Future;

/**
 * Called before an add-on's server and data are removed, while both still exist (e.g. to take a final backup). A
 * failed future stops the removal: the add-on stays {@code deprovisioning} and the next sweep asks again.
 */
public interface AddonRemovalHook {

  /** Does nothing. */
  AddonRemovalHook NONE = (addon, skipFinalBackup) -> Future.succeededFuture();

  /**
   * @param skipFinalBackup the caller asked for no final backup ({@code DELETE ...?skip_final_backup=true})
   */
  Future<Void> beforeRemoval(Addon addon, boolean skipFinalBackup);
}
