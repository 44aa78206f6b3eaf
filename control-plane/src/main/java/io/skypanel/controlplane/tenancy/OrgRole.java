package io.skypanel.controlplane.tenancy;

import io.skypanel.common.errors.ApiException;

/** Organization roles, weakest first: viewer reads; developer deploys and operates; admin manages members and settings; owner also deletes. */
public enum OrgRole {
  VIEWER, DEVELOPER, ADMIN, OWNER;

  public boolean atLeast(OrgRole required) {
    return ordinal() >= required.ordinal();
  }

  public String label() {
    return name().toLowerCase();
  }

  public static OrgRole parse(String value) {
    for (OrgRole role : values()) {
      if (role.label().equals(value)) {
        return role;
      }
    }
    throw ApiException.validation("unknown role '" + value + "'", null);
  }
}
