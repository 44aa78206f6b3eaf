package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.auth.Principal;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.UUID;

/**
 * A build this control plane accepted and has not finished: who asked (the release is cut in their name), where it
 * goes, its live log, and whether it was cancelled. Lives in {@link BuildService}'s map until the build ends.
 */
final class ActiveBuild {

  final UUID id;
  final Principal principal;
  final OrgContext org;
  final UUID appId;
  final BuildRepository.Target target;
  final BuildSource source;
  final LiveLog log;
  final Promise<JsonObject> ended = Promise.promise();
  final Path workDir;
  volatile boolean cancelled;
  volatile Builder builder;

  ActiveBuild(UUID id, Principal principal, OrgContext org, UUID appId, BuildRepository.Target target, BuildSource source, LiveLog log,
              Path workDir) {
    this.id = id;
    this.principal = principal;
    this.org = org;
    this.appId = appId;
    this.target = target;
    this.source = source;
    this.log = log;
    this.workDir = workDir;
  }

  UUID organizationId() {
    return org.organizationId();
  }
}
