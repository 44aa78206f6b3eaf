package io.skypanel.exec.access;

/**
 * Organization roles, weakest first, as stored in {@code organization_members.role}: viewer reads; developer
 * deploys and operates (and may open a console); admin manages members and settings (and reads transcripts);
 * owner also deletes. The same ladder the control plane enforces.
 */
public enum OrgRole {
  VIEWER, DEVELOPER, ADMIN, OWNER;

  public boolean atLeast(OrgRole required) {
    return ordinal() >= required.ordinal();
  }

  public String label() {
    return name().toLowerCase();
  }

  /** The role stored in the database; an unknown value (a newer schema) counts as the weakest. */
  public static OrgRole parse(String value) {
    for (OrgRole role : values()) {
      if (role.label().equals(value)) {
        return role;
      }
    }
    return VIEWER;
  }
}
