package io.skypanel.controlplane;

import io.skypanel.common.buildlogs.BuildLogStream;
import io.skypanel.common.config.BaseDomain;
import io.skypanel.common.config.Settings;
import io.skypanel.controlplane.caas.registries.PlatformRegistry;
import io.skypanel.controlplane.paas.addons.AddonSettings;
import io.skypanel.controlplane.paas.addons.backups.S3StoreSettings;
import io.skypanel.controlplane.paas.addons.engines.AddonImages;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every setting the control plane reads, read and checked once at start by its composition root
 * ({@link ControlPlaneVerticle}) and handed to the modules as typed values; a malformed setting stops the start
 * with a message naming it. docs/configuration.md lists the names.
 *
 * @param baseDomain the domain default hostnames live under ({@code SKYPANEL_BASE_DOMAIN}, see {@link BaseDomain})
 * @param sources    git push and webhooks ({@code SKYPANEL_GIT_*}, {@code SKYPANEL_WEBHOOK_*})
 * @param addonImages the image of each add-on service and version ({@code SKYPANEL_ADDON_IMAGES}, see {@link AddonImages})
 * @param addons       the add-ons' timings ({@code SKYPANEL_ADDON_*}, see {@link AddonSettings})
 * @param addonBackups where and how often add-on backups are taken
 */
public record ControlPlaneOptions(Api api, Auth auth, Catalog catalog, Caas caas, Paas paas, Builds builds, Buildpacks buildpacks,
                                  String baseDomain, Sources sources, AddonImages addonImages, AddonSettings addons,
                                  AddonBackups addonBackups) {

  /**
   * Add-on backups.
   *
   * @param directory        where the local backup store keeps compressed dumps ({@code SKYPANEL_BACKUP_DIR}, default
   *                         {@code <data dir>/backups})
   * @param scheduleInterval how often the scheduler looks for due and expired backups
   *                         ({@code SKYPANEL_BACKUP_SCHEDULE_INTERVAL_MS})
   * @param timeout          longest a dump or a restore may run ({@code SKYPANEL_BACKUP_TIMEOUT_S})
   * @param s3               the S3-compatible store ({@code SKYPANEL_BACKUP_STORE=s3}), {@code null} for the local one
   * @param gzipLevel        the compression level of stored dumps, 1 (fastest) to 9 ({@code SKYPANEL_BACKUP_GZIP_LEVEL},
   *                         default 1: about 3× the speed of level 6 for a few percent more bytes, and the control
   *                         plane's cores are shared with everything else it does)
   * @param orphanSweep      how often the store is listed for dumps whose backup row is gone
   *                         ({@code SKYPANEL_BACKUP_ORPHAN_SWEEP_MS}, default an hour: on S3 each sweep is a LIST of every key)
   */
  public record AddonBackups(Path directory, Duration scheduleInterval, Duration timeout, S3StoreSettings s3, int gzipLevel,
                             Duration orphanSweep) {
  }

  /**
   * @param port          the API listener ({@code SKYPANEL_API_PORT})
   * @param adminPort     the operators' metrics listener, 0 for none ({@code SKYPANEL_ADMIN_PORT})
   * @param bodyLimitBytes largest request body ({@code SKYPANEL_BODY_LIMIT_BYTES})
   * @param publicHost    the host named in the endpoints printed at start ({@code SKYPANEL_PUBLIC_HOST})
   */
  public record Api(int port, int adminPort, long bodyLimitBytes, String publicHost) {
  }

  /**
   * @param bcryptCost       password hashing cost ({@code SKYPANEL_BCRYPT_COST})
   * @param loginMaxFailures failed logins per account and address within {@code loginWindowSeconds} before a pause
   * @param refreshTtlSeconds lifetime of a refresh token ({@code SKYPANEL_REFRESH_TOKEN_TTL})
   * @param adminEmail       the first platform admin, created at start when set with {@code adminPassword}
   */
  public record Auth(int bcryptCost, int loginMaxFailures, int loginWindowSeconds, long refreshTtlSeconds, String adminEmail,
                     String adminPassword) {
  }

  /** The region new resources land in when none is named ({@code SKYPANEL_DEFAULT_REGION}, {@code _NAME}). */
  public record Catalog(String defaultRegion, String defaultRegionName) {
  }

  /**
   * @param reconcileInterval how often the reconciler sweeps every workload ({@code SKYPANEL_CAAS_RECONCILE_INTERVAL_MS})
   * @param domainRecheck     how often pending custom domains are checked again ({@code SKYPANEL_DOMAIN_RECHECK_MS}; 0: never)
   * @param allowedRegistries platform image policy: registries images may come from (empty: any)
   * @param blockedPatterns   platform image policy: image patterns never allowed
   * @param requireDigest     platform image policy: images must be pinned by digest
   * @param defaultEgress     {@code deny} or {@code allow}: an organization's egress without a policy of its own
   * @param defaultPlan       the plan slug of a container without one ({@code SKYPANEL_CAAS_DEFAULT_PLAN})
   * @param helperImage       the image of volume helper tasks (copy, snapshot, restore)
   * @param snapshotDir       where volume snapshots are kept
   * @param dnsServer         the resolver TXT checks ask ({@code <ip>[:port]}), null for the system's
   */
  public record Caas(Duration reconcileInterval, Duration domainRecheck, List<String> allowedRegistries, List<String> blockedPatterns,
                     boolean requireDigest, String defaultEgress, String defaultPlan, String helperImage, Duration helperTimeout,
                     Duration helperPoll, Path snapshotDir, String dnsServer, Duration dnsTimeout) {
  }

  /**
   * @param releaseTimeout    longest a release phase may run ({@code SKYPANEL_PAAS_RELEASE_TIMEOUT_S})
   * @param defaultSize       the plan slug of a process type without a size ({@code SKYPANEL_PAAS_DEFAULT_SIZE})
   * @param runTimeoutSeconds a one-off run's timeout when it names none ({@code SKYPANEL_PAAS_RUN_TIMEOUT_S})
   * @param runOutputBytes    how much of a run's output is kept ({@code SKYPANEL_PAAS_RUN_OUTPUT_BYTES})
   * @param runSweep          how often the run supervisor follows active runs ({@code SKYPANEL_PAAS_RUN_SWEEP_MS})
   */
  public record Paas(Duration releaseTimeout, String defaultSize, int runTimeoutSeconds, int runOutputBytes, Duration runSweep) {
  }

  /**
   * Source builds (issue 11) and the platform's private registry.
   *
   * @param registry          where builds are pushed ({@code SKYPANEL_REGISTRY} host:port, {@code _USERNAME},
   *                          {@code _PASSWORD}, {@code _KEEP}); {@link PlatformRegistry#NONE} when unset
   * @param orgConcurrency    builds of one organization running at once, across all control planes on the database
   *                          ({@code SKYPANEL_BUILD_ORG_CONCURRENCY})
   * @param globalConcurrency builds running at once across all control planes on the database
   *                          ({@code SKYPANEL_BUILD_CONCURRENCY})
   * @param uploadLimitBytes  largest source upload ({@code SKYPANEL_BUILD_UPLOAD_LIMIT_BYTES}; the rest of the API
   *                          keeps {@code SKYPANEL_BODY_LIMIT_BYTES})
   * @param unpackedLimitBytes largest unpacked source tree ({@code SKYPANEL_BUILD_UNPACKED_LIMIT_BYTES})
   * @param maxEntries        most files and directories in a source tree ({@code SKYPANEL_BUILD_MAX_ENTRIES})
   * @param timeout           longest a build may run ({@code SKYPANEL_BUILD_TIMEOUT_S})
   * @param logBytes          how much of a build's log is kept, its tail ({@code SKYPANEL_BUILD_LOG_BYTES})
   * @param workDir           where sources are received and unpacked ({@code SKYPANEL_BUILD_DIR}, default
   *                          {@code <data dir>/builds})
   * @param network           the network mode of Dockerfile {@code RUN} steps ({@code SKYPANEL_BUILD_NETWORK}:
   *                          {@code bridge} or {@code none}; never an organization's network)
   * @param logStreamLines    newest lines a running build's Redis log stream keeps for log-tail's viewers
   *                          ({@code SKYPANEL_BUILD_LOG_STREAM_LINES})
   * @param logStreamRetain   how long that stream outlives its last write ({@code SKYPANEL_BUILD_LOG_STREAM_RETAIN_S})
   * @param lease             how long a build stays leased to its control plane without a heartbeat; then it is
   *                          failed as its worker stopped ({@code SKYPANEL_BUILD_LEASE_S})
   * @param heartbeat         how often a control plane renews its builds' leases ({@code SKYPANEL_BUILD_HEARTBEAT_MS},
   *                          at most a third of the lease)
   * @param queuePoll         how often the queue looks for a free slot and sweeps expired leases without being woken
   *                          (slots freed on other control planes; {@code SKYPANEL_BUILD_QUEUE_POLL_MS})
   */
  public record Builds(PlatformRegistry registry, int orgConcurrency, int globalConcurrency, long uploadLimitBytes,
                       long unpackedLimitBytes, int maxEntries, Duration timeout, int logBytes, Path workDir, String network,
                       int logStreamLines, Duration logStreamRetain, Duration lease, Duration heartbeat, Duration queuePoll) {
  }

  /**
   * The buildpack builder's settings.
   *
   * @param directory an operator's buildpack directory ({@code <dir>/<slug>/bin/...}) searched before the shipped
   *                  ones, or null ({@code SKYPANEL_BUILDPACKS_DIR})
   * @param network   the network builder containers join: {@code none} (the default) builds offline, e.g.
   *                  {@code bridge} lets npm and pip download ({@code SKYPANEL_BUILDPACK_NETWORK})
   * @param pidsLimit processes a builder container may run ({@code SKYPANEL_BUILDPACK_PIDS_LIMIT})
   */
  public record Buildpacks(Path directory, String network, long pidsLimit) {
  }

  /**
   * Where source comes in: {@code git push} and repository webhooks.
   *
   * @param repositoryDir       where the apps' bare git repositories live ({@code SKYPANEL_GIT_DIR}, default
   *                            {@code <data dir>/git})
   * @param workers             threads of the git worker pool ({@code SKYPANEL_GIT_WORKERS}): each running push,
   *                            clone or fetch holds one while it runs (a push also while its build runs)
   * @param maxPushBytes        largest pack a push may send ({@code SKYPANEL_GIT_MAX_PUSH_BYTES})
   * @param buildWait           longest a push waits for its build before it is rejected ({@code SKYPANEL_GIT_BUILD_WAIT_S})
   * @param fetchTimeout        a webhook's fetch from the repository host ({@code SKYPANEL_WEBHOOK_FETCH_TIMEOUT_S})
   * @param allowPrivateHosts   test-only: webhooks may name loopback/private addresses
   *                            ({@code SKYPANEL_WEBHOOK_ALLOW_PRIVATE_HOSTS}; off in production, see docs/security.md)
   */
  public record Sources(Path repositoryDir, int workers, long maxPushBytes, Duration buildWait, Duration fetchTimeout,
                        boolean allowPrivateHosts) {
  }

  public static ControlPlaneOptions from(Settings settings) {
    String dataDir = settings.string("SKYPANEL_DATA_DIR", "./data");
    String snapshotDir = settings.optional("SKYPANEL_CAAS_SNAPSHOT_DIR");
    ControlPlaneOptions options = new ControlPlaneOptions(
        new Api(settings.integer("SKYPANEL_API_PORT", 8080), settings.integer("SKYPANEL_ADMIN_PORT", 0),
            settings.longValue("SKYPANEL_BODY_LIMIT_BYTES", 1_048_576), settings.string("SKYPANEL_PUBLIC_HOST", "127.0.0.1")),
        new Auth(settings.integer("SKYPANEL_BCRYPT_COST", 12), settings.integer("SKYPANEL_LOGIN_MAX_FAILURES", 5),
            settings.integer("SKYPANEL_LOGIN_WINDOW_SECONDS", 900), settings.longValue("SKYPANEL_REFRESH_TOKEN_TTL", 2_592_000),
            settings.optional("SKYPANEL_ADMIN_EMAIL"), settings.optional("SKYPANEL_ADMIN_PASSWORD")),
        new Catalog(settings.string("SKYPANEL_DEFAULT_REGION", "local"), settings.string("SKYPANEL_DEFAULT_REGION_NAME", "Local")),
        new Caas(Duration.ofMillis(settings.longValue("SKYPANEL_CAAS_RECONCILE_INTERVAL_MS", 5000)),
            Duration.ofMillis(settings.longValue("SKYPANEL_DOMAIN_RECHECK_MS", 60_000)),
            settings.list("SKYPANEL_CAAS_ALLOWED_REGISTRIES", List.of()), settings.list("SKYPANEL_CAAS_BLOCKED_PATTERNS", List.of()),
            settings.bool("SKYPANEL_CAAS_REQUIRE_DIGEST", false), settings.string("SKYPANEL_CAAS_DEFAULT_EGRESS", "deny"),
            settings.string("SKYPANEL_CAAS_DEFAULT_PLAN", "hobby"),
            settings.string("SKYPANEL_CAAS_HELPER_IMAGE", "docker.io/library/busybox:1.36"),
            Duration.ofSeconds(settings.longValue("SKYPANEL_CAAS_HELPER_TIMEOUT_SECONDS", 3600)),
            Duration.ofMillis(settings.longValue("SKYPANEL_CAAS_HELPER_POLL_MS", 500)),
            snapshotDir != null ? Path.of(snapshotDir) : Path.of(dataDir).resolve("snapshots"),
            settings.optional("SKYPANEL_DNS_SERVER"), Duration.ofMillis(settings.longValue("SKYPANEL_DNS_TIMEOUT_MS", 5000))),
        new Paas(Duration.ofSeconds(settings.longValue("SKYPANEL_PAAS_RELEASE_TIMEOUT_S", 600)),
            settings.string("SKYPANEL_PAAS_DEFAULT_SIZE", "hobby"), settings.integer("SKYPANEL_PAAS_RUN_TIMEOUT_S", 3600),
            settings.integer("SKYPANEL_PAAS_RUN_OUTPUT_BYTES", 16384), Duration.ofMillis(settings.longValue("SKYPANEL_PAAS_RUN_SWEEP_MS", 1000))),
        builds(settings, dataDir),
        new Buildpacks(settings.optional("SKYPANEL_BUILDPACKS_DIR") == null ? null : Path.of(settings.optional("SKYPANEL_BUILDPACKS_DIR")),
            settings.string("SKYPANEL_BUILDPACK_NETWORK", "none"), settings.longValue("SKYPANEL_BUILDPACK_PIDS_LIMIT", 512)),
        BaseDomain.of(settings),
        new Sources(Path.of(settings.string("SKYPANEL_GIT_DIR", Path.of(dataDir).resolve("git").toString())),
            settings.integer("SKYPANEL_GIT_WORKERS", 8), settings.longValue("SKYPANEL_GIT_MAX_PUSH_BYTES", 512L * 1024 * 1024),
            Duration.ofSeconds(settings.longValue("SKYPANEL_GIT_BUILD_WAIT_S", 3600)),
            Duration.ofSeconds(settings.longValue("SKYPANEL_WEBHOOK_FETCH_TIMEOUT_S", 120)),
            settings.bool("SKYPANEL_WEBHOOK_ALLOW_PRIVATE_HOSTS", false)),
        AddonImages.parse(settings.string(AddonImages.SETTING, AddonImages.DEFAULTS)),
        AddonSettings.from(settings),
        new AddonBackups(Path.of(settings.string("SKYPANEL_BACKUP_DIR", Path.of(dataDir).resolve("backups").toString())),
            Duration.ofMillis(settings.longValue("SKYPANEL_BACKUP_SCHEDULE_INTERVAL_MS", 60_000)),
            Duration.ofSeconds(settings.longValue("SKYPANEL_BACKUP_TIMEOUT_S", 3600)), S3StoreSettings.from(settings),
            settings.integer("SKYPANEL_BACKUP_GZIP_LEVEL", 1),
            Duration.ofMillis(settings.longValue("SKYPANEL_BACKUP_ORPHAN_SWEEP_MS", 3_600_000))));
    options.validate();
    return options;
  }

  private static Builds builds(Settings settings, String dataDir) {
    String registryHost = settings.optional("SKYPANEL_REGISTRY");
    int keep = settings.integer("SKYPANEL_REGISTRY_KEEP", 10);
    PlatformRegistry registry = registryHost == null || registryHost.isBlank()
        ? new PlatformRegistry(null, null, null, keep)
        : new PlatformRegistry(registryHost.strip().toLowerCase(java.util.Locale.ROOT), settings.optional("SKYPANEL_REGISTRY_USERNAME"),
            settings.optional("SKYPANEL_REGISTRY_PASSWORD"), keep);
    String workDir = settings.optional("SKYPANEL_BUILD_DIR");
    return new Builds(registry, settings.integer("SKYPANEL_BUILD_ORG_CONCURRENCY", 1), settings.integer("SKYPANEL_BUILD_CONCURRENCY", 2),
        settings.longValue("SKYPANEL_BUILD_UPLOAD_LIMIT_BYTES", 104_857_600L),
        settings.longValue("SKYPANEL_BUILD_UNPACKED_LIMIT_BYTES", 536_870_912L), settings.integer("SKYPANEL_BUILD_MAX_ENTRIES", 50_000),
        Duration.ofSeconds(settings.longValue("SKYPANEL_BUILD_TIMEOUT_S", 1800)), settings.integer("SKYPANEL_BUILD_LOG_BYTES", 1_048_576),
        workDir != null ? Path.of(workDir) : Path.of(dataDir).resolve("builds"), settings.string("SKYPANEL_BUILD_NETWORK", "bridge"),
        settings.integer("SKYPANEL_BUILD_LOG_STREAM_LINES", BuildLogStream.DEFAULT_MAX_LEN),
        Duration.ofSeconds(settings.longValue("SKYPANEL_BUILD_LOG_STREAM_RETAIN_S", BuildLogStream.DEFAULT_RETAIN_SECONDS)),
        Duration.ofSeconds(settings.longValue("SKYPANEL_BUILD_LEASE_S", 30)), Duration.ofMillis(settings.longValue("SKYPANEL_BUILD_HEARTBEAT_MS", 5000)),
        Duration.ofMillis(settings.longValue("SKYPANEL_BUILD_QUEUE_POLL_MS", 2000)));
  }

  private void validate() {
    require(api.bodyLimitBytes() > 0, "SKYPANEL_BODY_LIMIT_BYTES must be positive");
    require(auth.bcryptCost() >= 4 && auth.bcryptCost() <= 31, "SKYPANEL_BCRYPT_COST must be between 4 and 31");
    require(positive(caas.reconcileInterval()), "SKYPANEL_CAAS_RECONCILE_INTERVAL_MS must be positive");
    require(!caas.domainRecheck().isNegative(), "SKYPANEL_DOMAIN_RECHECK_MS must not be negative");
    require(caas.defaultEgress().equals("deny") || caas.defaultEgress().equals("allow"),
        "setting SKYPANEL_CAAS_DEFAULT_EGRESS must be deny or allow, got '" + caas.defaultEgress() + "'");
    require(positive(caas.helperTimeout()), "SKYPANEL_CAAS_HELPER_TIMEOUT_SECONDS must be positive");
    require(positive(caas.helperPoll()), "SKYPANEL_CAAS_HELPER_POLL_MS must be positive");
    require(positive(caas.dnsTimeout()), "SKYPANEL_DNS_TIMEOUT_MS must be positive, got " + caas.dnsTimeout().toMillis());
    require(positive(paas.releaseTimeout()), "SKYPANEL_PAAS_RELEASE_TIMEOUT_S must be positive");
    require(paas.runTimeoutSeconds() >= 1 && paas.runTimeoutSeconds() <= 86_400, "SKYPANEL_PAAS_RUN_TIMEOUT_S must be between 1 and 86400");
    require(paas.runOutputBytes() >= 0, "SKYPANEL_PAAS_RUN_OUTPUT_BYTES must not be negative");
    require(positive(paas.runSweep()), "SKYPANEL_PAAS_RUN_SWEEP_MS must be positive");
    require(addonBackups.scheduleInterval().toMillis() >= 100, "SKYPANEL_BACKUP_SCHEDULE_INTERVAL_MS must be at least 100");
    require(positive(addonBackups.timeout()), "SKYPANEL_BACKUP_TIMEOUT_S must be positive");
    require(addonBackups.orphanSweep().toMillis() >= 100, "SKYPANEL_BACKUP_ORPHAN_SWEEP_MS must be at least 100");
    require(addonBackups.gzipLevel() >= 1 && addonBackups.gzipLevel() <= 9, "SKYPANEL_BACKUP_GZIP_LEVEL must be 1 to 9");
    PlatformRegistry registry = builds.registry();
    if (registry.configured()) {
      require(registry.host().matches("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?$"), "SKYPANEL_REGISTRY must be host[:port], got '"
          + registry.host() + "'");
      require(registry.username() != null && registry.password() != null,
          "SKYPANEL_REGISTRY_USERNAME and SKYPANEL_REGISTRY_PASSWORD must be set with SKYPANEL_REGISTRY");
    }
    require(registry.keep() >= 1, "SKYPANEL_REGISTRY_KEEP must be at least 1");
    require(builds.orgConcurrency() >= 1, "SKYPANEL_BUILD_ORG_CONCURRENCY must be at least 1");
    require(builds.globalConcurrency() >= 1, "SKYPANEL_BUILD_CONCURRENCY must be at least 1");
    require(builds.uploadLimitBytes() > 0, "SKYPANEL_BUILD_UPLOAD_LIMIT_BYTES must be positive");
    require(builds.unpackedLimitBytes() > 0, "SKYPANEL_BUILD_UNPACKED_LIMIT_BYTES must be positive");
    require(builds.maxEntries() > 0, "SKYPANEL_BUILD_MAX_ENTRIES must be positive");
    require(positive(builds.timeout()), "SKYPANEL_BUILD_TIMEOUT_S must be positive");
    require(builds.logBytes() >= 1024, "SKYPANEL_BUILD_LOG_BYTES must be at least 1024");
    require(builds.logStreamLines() > 0, "SKYPANEL_BUILD_LOG_STREAM_LINES must be positive");
    require(positive(builds.logStreamRetain()), "SKYPANEL_BUILD_LOG_STREAM_RETAIN_S must be positive");
    require(positive(builds.lease()), "SKYPANEL_BUILD_LEASE_S must be positive");
    require(builds.heartbeat().toMillis() >= 10 && builds.heartbeat().multipliedBy(3).compareTo(builds.lease()) <= 0,
        "SKYPANEL_BUILD_HEARTBEAT_MS must be at least 10 and at most a third of SKYPANEL_BUILD_LEASE_S");
    require(builds.queuePoll().toMillis() >= 10, "SKYPANEL_BUILD_QUEUE_POLL_MS must be at least 10");
    require(builds.network().equals("bridge") || builds.network().equals("none"), "SKYPANEL_BUILD_NETWORK must be bridge or none");
    require(buildpacks.network().matches("[A-Za-z0-9][A-Za-z0-9_.-]*"), "SKYPANEL_BUILDPACK_NETWORK must be a network name, got '"
        + buildpacks.network() + "'");
    require(buildpacks.pidsLimit() >= 16, "SKYPANEL_BUILDPACK_PIDS_LIMIT must be at least 16");
    require(buildpacks.directory() == null || java.nio.file.Files.isDirectory(buildpacks.directory()),
        "SKYPANEL_BUILDPACKS_DIR must be a directory, got " + buildpacks.directory());
    require(sources.workers() >= 1 && sources.workers() <= 256, "SKYPANEL_GIT_WORKERS must be between 1 and 256");
    require(sources.maxPushBytes() > 0, "SKYPANEL_GIT_MAX_PUSH_BYTES must be positive");
    require(positive(sources.buildWait()), "SKYPANEL_GIT_BUILD_WAIT_S must be positive");
    require(positive(sources.fetchTimeout()), "SKYPANEL_WEBHOOK_FETCH_TIMEOUT_S must be positive");
  }

  private static boolean positive(Duration duration) {
    return !duration.isNegative() && !duration.isZero();
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
