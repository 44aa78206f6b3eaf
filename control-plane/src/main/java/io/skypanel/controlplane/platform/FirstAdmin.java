package io.skypanel.controlplane.platform;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.auth.AuthService;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Creates the first platform administrator from {@code SKYPANEL_ADMIN_EMAIL}/{@code SKYPANEL_ADMIN_PASSWORD} when none exists. */
public final class FirstAdmin {

  private static final Logger LOG = LoggerFactory.getLogger(FirstAdmin.class);

  private FirstAdmin() {
  }

  public static Future<Void> ensure(ControlPlaneOptions.Auth options, AuthService auth) {
    String email = options.adminEmail();
    String password = options.adminPassword();
    if (email == null || password == null) {
      return Future.succeededFuture();
    }
    if (password.length() < 10) {
      return Future.failedFuture(new IllegalArgumentException("SKYPANEL_ADMIN_PASSWORD must have at least 10 characters"));
    }
    return auth.ensureAdmin(email, password).map(created -> {
      if (created) {
        LOG.info("created the first platform administrator {}", email.toLowerCase());
      }
      return null;
    });
  }
}
