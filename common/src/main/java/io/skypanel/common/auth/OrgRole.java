package io.skypanel.common.auth;

import io.skypanel.common.errors.ApiException;

/**
 * Organization roles, weakest first, as stored in {@code organization_members.role}: viewer reads; developer
 * deploys and operates (and may open a console); admin manages members and settings (and reads transcripts);
 * owner also deletes. Every service checks the same ladder.
 */
public enum OrgRole {
  VIEWER, DEVELOPER, ADMIN, OWNER;

  public boolean atLeast(OrgRole required) {
    return ordinal() >= required.ordinal();
  }

  public String label() {
    return name().toLowerCase();
  }

  /** A role named in a request; an unknown one is a validation error. */
  public static OrgRole parse(String value) {
    OrgRole role = find(value);
    if (role == null) {
      throw ApiException.validation("unknown role '" + value + "'", null);
    }
    return role;
  }

  /** A role read from the database; an unknown value (a newer schema) counts as the weakest. */
  public static OrgRole stored(String value) {
    OrgRole role = find(value);
    return role == null ? VIEWER : role;
  }

  private static OrgRole find(String value) {
    for (OrgRole role : values()) {
      if (role.label().equals(value)) {
        return role;
      }
    }
    return null;
  }
}
