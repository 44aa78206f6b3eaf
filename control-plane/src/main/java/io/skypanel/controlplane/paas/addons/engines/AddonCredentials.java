package io.skypanel.controlplane.paas.addons.engines;

/**
 * One add-on's credentials. Stored sealed ({@code SecretBox}), delivered to apps as Swarm secrets, never logged:
 * {@link #toString()} leaves the password out.
 *
 * @param user     the login (Redis: {@code default})
 * @param password random, URL-safe
 * @param database the database name (Redis: {@code 0})
 */
public record AddonCredentials(String user, String password, String database) {

  /** The same login with another password (rotation). */
  public AddonCredentials withPassword(String newPassword) {
    return new AddonCredentials(user, newPassword, database);
  }

  @Override
  public String toString() {
    return "AddonCredentials[" + user + "@" + database + "]";
  }
}
