package io.skypanel.common.auth;

import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: the user, their platform role, and what the credential allows. A JWT access token
 * carries every scope; an API token carries the scopes it was created with.
 *
 * @param tokenId the API token used, or {@code null} for a JWT session
 */
public record Principal(UUID userId, String email, String platformRole, Set<String> scopes, UUID tokenId) {

  public static final String SCOPE_READ = "read";
  public static final String SCOPE_WRITE = "write";
  public static final String SCOPE_ADMIN = "admin";

  /** Platform administration needs the admin role and, for API tokens, the admin scope. */
  public boolean isPlatformAdmin() {
    return "admin".equals(platformRole) && scopes.contains(SCOPE_ADMIN);
  }

  public boolean canWrite() {
    return scopes.contains(SCOPE_WRITE);
  }

  public boolean viaApiToken() {
    return tokenId != null;
  }
}
