package io.skypanel.controlplane.paas.environments;

import java.util.regex.Pattern;

/**
 * The branch names an environment's deploy branch (and a webhook's branch) may take: git's ref rules for the
 * characters the platform accepts (no {@code ..}, {@code //}, leading or trailing {@code /}, or {@code .lock}),
 * the same rule as the database's CHECK (V14).
 */
public final class DeployBranch {

  private static final Pattern VALID = Pattern.compile("^(?!/)(?!.*(\\.\\.|//|\\.lock$|/$))[A-Za-z0-9._/-]{1,255}$");

  private DeployBranch() {
  }

  public static boolean valid(String branch) {
    return branch != null && VALID.matcher(branch).matches();
  }
}
