package io.skypanel.controlplane.caas.registries;

import io.skypanel.controlplane.caas.policies.InvalidImageReference;
import io.skypanel.common.auth.Principal;
import io.skypanel.common.crypto.SecretBox;
import io.skypanel.common.errors.ApiException;
import io.skypanel.controlplane.activity.ActivityEntry;
import io.skypanel.controlplane.activity.ActivityRepository;
import io.skypanel.controlplane.api.Cursor;
import io.skypanel.controlplane.api.Pages;
import io.skypanel.controlplane.runtime.orchestration.DesiredService;
import io.skypanel.controlplane.caas.policies.ImageReference;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;

import java.util.UUID;

/**
 * Credentials for an organization's private registries. The password is sealed with the platform's
 * {@link SecretBox} before it is stored, is never returned by the API (not even by the create call), never
 * logged, and only unsealed by {@link #loginFor} for the engine that pulls an image.
 */
public final class RegistryCredentialService {

  private static final String FOREIGN_KEY_VIOLATION = "23503";
  /** The address Docker uses for Docker Hub credentials. */
  private static final String DOCKER_HUB_ADDRESS = "https://index.docker.io/v1/";

  private final Pool pool;
  private final SecretBox secrets;
  private final PlatformRegistry platformRegistry;
  private final RegistryCredentialRepository credentials = new RegistryCredentialRepository();
  private final ActivityRepository activity = new ActivityRepository();

  public RegistryCredentialService(Pool pool, SecretBox secrets, PlatformRegistry platformRegistry) {
    this.pool = pool;
    this.secrets = secrets;
    this.platformRegistry = platformRegistry;
  }

  /** A credential found for an image: its id (for {@code paas_containers.registry_credential_id}) and the unsealed login. */
  public record Match(UUID credentialId, String name, DesiredService.RegistryLogin login) {
  }

  public Future<JsonObject> create(Principal principal, OrgContext org, JsonObject body, String ip) {
    String name = body.getString("name");
    String username = body.getString("username");
    String registry;
    try {
      registry = ImageReference.normalizeRegistry(body.getString("registry"));
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(ApiException.validation("registry: " + e.getMessage(), null));
    }
    String sealed = secrets.encrypt(body.getString("password"));
    return pool.withTransaction(conn -> credentials.insert(conn, org.organizationId(), name, registry, username, sealed, principal.userId())
        .compose(created -> {
          if (created == null) {
            return Future.failedFuture(ApiException.conflict("name_taken", "a registry credential named '" + name + "' already exists"));
          }
          return activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "caas.registry_credential.create",
                  "registry_credential", created.getString("id"),
                  new JsonObject().put("name", name).put("registry", registry).put("username", username), ip))
              .map(created);
        }));
  }

  public Future<JsonObject> list(OrgContext org, Cursor cursor, int limit) {
    return credentials.page(pool, org.organizationId(), cursor == null ? null : cursor.createdAt(), cursor == null ? null : cursor.id(), limit + 1)
        .map(rows -> Pages.of(rows, limit));
  }

  /** Deletes a credential; 404 when the organization has none with this id, 409 while a container uses it. */
  public Future<Void> delete(Principal principal, OrgContext org, UUID id, String ip) {
    return pool.withTransaction(conn -> credentials.delete(conn, org.organizationId(), id).compose(deleted -> deleted == null
            ? Future.failedFuture(ApiException.notFound("registry credential"))
            : activity.insert(conn, new ActivityEntry(org.organizationId(), principal.userId(), "caas.registry_credential.delete",
                "registry_credential", id.toString(),
                new JsonObject().put("name", deleted.getString("name")).put("registry", deleted.getString("registry")), ip))))
        .recover(err -> err instanceof PgException pg && FOREIGN_KEY_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(ApiException.conflict("registry_credential_in_use",
                "a container pulls its image with this credential; change or delete the container first"))
            : Future.failedFuture(err));
  }

  /**
   * The organization's login for the registry of {@code imageRef}, unsealed, or null when it has no credential
   * for that registry host[:port] (public images need none). With several credentials for one registry the
   * newest wins. The organization's own builds in the platform registry get the platform's login (see
   * {@link PlatformRegistry#owns}). Fails with 400 {@code invalid_image_reference} for something that is not an
   * image reference.
   */
  public Future<DesiredService.RegistryLogin> loginFor(UUID organizationId, String imageRef) {
    try {
      if (platformRegistry.owns(organizationId, ImageReference.parse(imageRef))) {
        return Future.succeededFuture(platformRegistry.login());
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InvalidImageReference(e.getMessage()));
    }
    return matchFor(organizationId, imageRef).map(match -> match == null ? null : match.login());
  }

  /** Like {@link #loginFor}, with the credential's id and name. */
  public Future<Match> matchFor(UUID organizationId, String imageRef) {
    ImageReference image;
    try {
      image = ImageReference.parse(imageRef);
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(new InvalidImageReference(e.getMessage()));
    }
    return credentials.useForHost(pool, organizationId, image.registry()).map(found -> {
      if (found == null) {
        return null;
      }
      String address = ImageReference.DOCKER_HUB.equals(found.registryHost()) ? DOCKER_HUB_ADDRESS : found.registryHost();
      return new Match(found.id(), found.name(),
          new DesiredService.RegistryLogin(address, found.username(), secrets.decryptToString(found.passwordSealed())));
    });
  }
}
