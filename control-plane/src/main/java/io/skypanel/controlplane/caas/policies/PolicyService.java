package io.skypanel.controlplane.caas.policies;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.skypanel.controlplane.caas.registries.PlatformRegistry;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.runtime.workloads.ContainerRepository;
import io.skypanel.controlplane.caas.policies.PolicyRepository.StoredImagePolicy;
import io.skypanel.controlplane.caas.policies.PolicyRepository.StoredNetworkPolicy;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The organization's CaaS policies: which images may run ({@link #check}) and whether its containers may reach
 * the outside ({@link #egressDenied}).
 *
 * <p><b>Image policy and platform defaults.</b> The platform sets defaults ({@code SKYPANEL_CAAS_ALLOWED_REGISTRIES},
 * {@code SKYPANEL_CAAS_BLOCKED_PATTERNS}, {@code SKYPANEL_CAAS_REQUIRE_DIGEST}); an organization's own value
 * replaces a default field by field: a non-empty {@code allowed_registries} or {@code blocked_patterns} list
 * replaces the default list, an empty one inherits it; {@code require_digest} is on when the organization or
 * the platform turns it on. {@code allowed_patterns} has no platform default. An empty allowed list allows any.
 *
 * <p><b>Network policy.</b> Egress is {@code deny} (only the organization's own containers and the edge router
 * are reachable) or {@code allow}; without an organization row the platform default
 * ({@code SKYPANEL_CAAS_DEFAULT_EGRESS}, deny) applies. Ingress is always {@code edge_and_org}: through the edge
 * router and from the organization's own containers.
 */
public final class PolicyService {

  /** The error code of a refused image. */
  public static final String VIOLATION = "image_policy_violation";
  /** Glob characters a pattern may use (see {@link ImagePolicy}). */
  public static final Pattern PATTERN = Pattern.compile("^[A-Za-z0-9._/:@*?-]{1,300}$");
  public static final String INGRESS_EDGE_AND_ORG = "edge_and_org";

  private final Pool pool;
  private final ImagePolicy defaults;
  private final String defaultEgress;
  private final PlatformRegistry platformRegistry;
  private final PolicyRepository policies = new PolicyRepository();
  private final ActivityRepository activity = new ActivityRepository();
  private final ContainerRepository containers = new ContainerRepository();
  private volatile java.util.function.Consumer<UUID> reapplyListener = id -> { };

  /** Reads and checks the platform defaults; a malformed setting stops the start. */
  public PolicyService(Pool pool, ControlPlaneOptions.Caas options, PlatformRegistry platformRegistry) {
    this.pool = pool;
    this.platformRegistry = platformRegistry;
    this.defaults = new ImagePolicy(registries(options.allowedRegistries(), "SKYPANEL_CAAS_ALLOWED_REGISTRIES"),
        List.of(), patterns(options.blockedPatterns(), "SKYPANEL_CAAS_BLOCKED_PATTERNS"), options.requireDigest());
    this.defaultEgress = options.defaultEgress();
    if (!defaultEgress.equals("deny") && !defaultEgress.equals("allow")) {
      throw new IllegalArgumentException("setting SKYPANEL_CAAS_DEFAULT_EGRESS must be deny or allow, got '" + defaultEgress + "'");
    }
  }

  /** The platform defaults from configuration. */
  public ImagePolicy defaults() {
    return defaults;
  }

  // --- images ----------------------------------------------------------------------------------

  /**
   * Succeeds when the organization may run {@code imageRef}. Fails with 422 {@value #VIOLATION} naming the
   * rule that refused it, or 400 {@code invalid_image_reference} when it is not an image reference. Call it
   * before every container create and deploy. The organization's own builds in the platform registry always pass:
   * the platform made them from the organization's source (see {@link PlatformRegistry#owns}).
   */
  public Future<Void> check(UUID organizationId, String imageRef) {
    ImageReference image;
    try {
      image = ImageReference.parse(imageRef);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InvalidImageReference(e.getMessage()));
    }
    if (platformRegistry.owns(organizationId, image)) {
      return Future.succeededFuture();
    }
    return effective(organizationId).compose(policy -> {
      String violation = policy.violation(image);
      return violation == null ? Future.<Void>succeededFuture()
          : Future.failedFuture(new ImageNotAllowed(violation));
    });
  }

  /** The policy that applies to the organization: its own rules over the platform defaults. */
  public Future<ImagePolicy> effective(UUID organizationId) {
    return policies.imagePolicy(pool, organizationId).map(stored -> merge(stored == null ? ImagePolicy.OPEN : stored.rules(), defaults));
  }

  public Future<JsonObject> imagePolicy(UUID organizationId) {
    return policies.imagePolicy(pool, organizationId).map(this::imageView);
  }

  /** Replaces the organization's own rules; a field left out (or empty/false) inherits the platform default. */
  public Future<JsonObject> updateImagePolicy(Principal principal, OrgContext org, JsonObject body, String ip) {
    ImagePolicy rules;
    try {
      rules = new ImagePolicy(
          registries(strings(body.getJsonArray("allowed_registries")), "allowed_registries"),
          patterns(strings(body.getJsonArray("allowed_patterns")), "allowed_patterns"),
          patterns(strings(body.getJsonArray("blocked_patterns")), "blocked_patterns"),
          Boolean.TRUE.equals(body.getBoolean("require_digest")));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.validation(e.getMessage(), null));
    }
    return pool.withTransaction(conn -> policies.upsertImagePolicy(conn, org.organizationId(), rules, principal.userId())
        .compose(stored -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "caas.policy.image.update",
            "image_policy", org.organizationId().toString(), rulesJson(rules), ip)).map(stored)))
        .map(this::imageView);
  }

  /**
   * The platform's defaults are a floor an organization can only tighten: its allowed registries narrow the
   * platform's (intersection; its own list when the platform allows any), blocked patterns add up, and a digest
   * required by either is required. A tenant admin can never reopen what the operator closed.
   */
  static ImagePolicy merge(ImagePolicy own, ImagePolicy defaults) {
    java.util.List<String> allowed;
    if (defaults.allowedRegistries().isEmpty()) {
      allowed = own.allowedRegistries();
    } else if (own.allowedRegistries().isEmpty()) {
      allowed = defaults.allowedRegistries();
    } else {
      allowed = own.allowedRegistries().stream().filter(defaults.allowedRegistries()::contains).toList();
      if (allowed.isEmpty()) {
        // none of the organization's registries is permitted by the platform: nothing may be pulled
        allowed = java.util.List.of("-none-");
      }
    }
    java.util.LinkedHashSet<String> blocked = new java.util.LinkedHashSet<>(defaults.blockedPatterns());
    blocked.addAll(own.blockedPatterns());
    return new ImagePolicy(allowed, own.allowedPatterns(), java.util.List.copyOf(blocked), own.requireDigest() || defaults.requireDigest());
  }

  private JsonObject imageView(StoredImagePolicy stored) {
    ImagePolicy own = stored == null ? ImagePolicy.OPEN : stored.rules();
    ImagePolicy effective = merge(own, defaults);
    JsonArray fromDefaults = new JsonArray();
    if (own.allowedRegistries().isEmpty()) {
      fromDefaults.add("allowed_registries");
    }
    if (own.blockedPatterns().isEmpty()) {
      fromDefaults.add("blocked_patterns");
    }
    if (!own.requireDigest()) {
      fromDefaults.add("require_digest");
    }
    JsonObject defaultsJson = rulesJson(defaults);
    defaultsJson.remove("allowed_patterns");
    return rulesJson(effective)
        .put("from_defaults", fromDefaults)
        .put("organization", rulesJson(own))
        .put("defaults", defaultsJson)
        .put("updated_at", stored == null ? null : stored.updatedAt().toString());
  }

  private static JsonObject rulesJson(ImagePolicy policy) {
    return new JsonObject()
        .put("allowed_registries", new JsonArray(new ArrayList<>(policy.allowedRegistries())))
        .put("allowed_patterns", new JsonArray(new ArrayList<>(policy.allowedPatterns())))
        .put("blocked_patterns", new JsonArray(new ArrayList<>(policy.blockedPatterns())))
        .put("require_digest", policy.requireDigest());
  }

  // --- network ---------------------------------------------------------------------------------

  /** True when the organization's containers may not reach anything outside the organization and the edge router. */
  public Future<Boolean> egressDenied(UUID organizationId) {
    return policies.networkPolicy(pool, organizationId)
        .map(stored -> "deny".equals(stored == null ? defaultEgress : stored.egressMode()));
  }

  public Future<JsonObject> networkPolicy(UUID organizationId) {
    return policies.networkPolicy(pool, organizationId).map(this::networkView);
  }

  public Future<JsonObject> updateNetworkPolicy(Principal principal, OrgContext org, JsonObject body, String ip) {
    String egress = body.getString("egress");
    if (!"deny".equals(egress) && !"allow".equals(egress)) {
      return Future.failedFuture(ApiException.validation("egress must be deny or allow", null));
    }
    List<UUID> reapply = new ArrayList<>();
    return pool.withTransaction(conn -> policies.networkPolicy(conn, org.organizationId())
            .compose(before -> policies.upsertNetworkPolicy(conn, org.organizationId(), egress, principal.userId())
                .compose(stored -> egress.equals(before == null ? defaultEgress : before.egressMode())
                    ? Future.succeededFuture(stored)
                    // the tasks change networks: every container rolls over to the new set
                    : containers.reapplyOrganization(conn, org.organizationId()).map(ids -> {
                      reapply.addAll(ids);
                      return stored;
                    })))
            .compose(stored -> activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "caas.policy.network.update",
                "network_policy", org.organizationId().toString(),
                new JsonObject().put("egress", egress).put("ingress", INGRESS_EDGE_AND_ORG), ip)).map(stored)))
        .onSuccess(stored -> reapply.forEach(reapplyListener))
        .map(this::networkView);
  }

  /** Told, after the commit, of each container that must be re-applied because the organization's egress changed. */
  public void onReapply(java.util.function.Consumer<UUID> listener) {
    this.reapplyListener = listener;
  }

  private JsonObject networkView(StoredNetworkPolicy stored) {
    if (stored == null) {
      return new JsonObject().put("egress", defaultEgress).put("ingress", INGRESS_EDGE_AND_ORG).put("default", true).putNull("updated_at");
    }
    // rows written through this API are always public + intra-org; anything else was set outside it and is shown as stored
    String ingress = "public".equals(stored.ingressMode()) && stored.allowIntraOrg() ? INGRESS_EDGE_AND_ORG : stored.ingressMode();
    return new JsonObject().put("egress", stored.egressMode()).put("ingress", ingress).put("default", false)
        .put("updated_at", stored.updatedAt().toString());
  }

  // --- input -----------------------------------------------------------------------------------

  private static List<String> strings(JsonArray array) {
    List<String> values = new ArrayList<>();
    if (array != null) {
      for (int i = 0; i < array.size(); i++) {
        values.add(array.getString(i));
      }
    }
    return values;
  }

  /** Normalised ({@code index.docker.io} is {@code docker.io}), without duplicates, in the given order. */
  static List<String> registries(List<String> hosts, String field) {
    LinkedHashSet<String> normalized = new LinkedHashSet<>();
    for (String host : hosts) {
      try {
        normalized.add(ImageReference.normalizeRegistry(host.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(field + ": " + e.getMessage());
      }
    }
    return List.copyOf(normalized);
  }

  static List<String> patterns(List<String> globs, String field) {
    LinkedHashSet<String> unique = new LinkedHashSet<>();
    for (String glob : globs) {
      String pattern = glob.trim();
      if (!PATTERN.matcher(pattern).matches()) {
        throw new IllegalArgumentException(field + ": the pattern '" + pattern + "' may only use letters, digits, '.', '_', '-', '/', ':', '@', "
            + "'*' and '?' (at most 300 characters)");
      }
      unique.add(pattern);
    }
    return List.copyOf(unique);
  }
}
