package io.skypanel.controlplane.caas.edge;

import java.util.UUID;

/**
 * What the edge features (custom domains, edge settings, metrics) apply to: a CaaS container, or a PaaS environment
 * whose web process the edge routes. One service serves both; the kind picks the SQL, the 404 and the activity names.
 */
public record EdgeTarget(Kind kind, UUID id) {

  /** The two kinds of target, with the words the API and the activity log use for them. */
  public enum Kind {
    CONTAINER("container", "caas"),
    ENVIRONMENT("environment", "paas");

    private final String resource;
    private final String area;

    Kind(String resource, String area) {
      this.resource = resource;
      this.area = area;
    }

    /** The resource name in 404s, 409s and activity targets: {@code container} or {@code environment}. */
    public String resource() {
      return resource;
    }

    /** The activity action prefix, e.g. {@code caas.domain.create} or {@code paas.domain.create}. */
    public String area() {
      return area;
    }
  }

  public EdgeTarget {
    if (kind == null || id == null) {
      throw new IllegalArgumentException("an edge target needs a kind and an id");
    }
  }

  public static EdgeTarget container(UUID id) {
    return new EdgeTarget(Kind.CONTAINER, id);
  }

  public static EdgeTarget environment(UUID id) {
    return new EdgeTarget(Kind.ENVIRONMENT, id);
  }

  /** The key of the target's id in API objects and activity metadata: {@code container_id} or {@code environment_id}. */
  public String idField() {
    return kind.resource() + "_id";
  }
}
