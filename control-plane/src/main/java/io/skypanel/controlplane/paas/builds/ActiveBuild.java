package io.skypanel.controlplane.paas.builds;

import io.skypanel.common.auth.Principal;
import io.skypanel.common.buildlogs.BuildLogPublisher;
import io.skypanel.controlplane.tenancy.OrgContext;
import io.vertx.core.Promise;
import io.vertx.core.json.JsonObject;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A build this control plane accepted and has not finished: who asked (the release is cut in their name), where it
 * goes, its live log, whether it started and whether it was cancelled. Lives in {@link BuildService}'s map until the build ends.
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
  /** The build's Redis log stream (log-tail's live viewers). */
  final BuildLogPublisher.Writer stream;
  /** Set once by whichever comes first: the dispatcher starting the build, or a cancel/sweep ending it while queued. */
  final AtomicBoolean taken = new AtomicBoolean();
  /** When it was accepted ({@link System#nanoTime}): a heartbeat older than that cannot know the build yet. */
  final long acceptedAt = System.nanoTime();
  volatile boolean cancelled;
  volatile Builder builder;

  ActiveBuild(UUID id, Principal principal, OrgContext org, UUID appId, BuildRepository.Target target, BuildSource source, LiveLog log,
              Path workDir, BuildLogPublisher.Writer stream) {
    this.id = id;
    this.principal = principal;
    this.org = org;
    this.appId = appId;
    this.target = target;
    this.source = source;
    this.log = log;
    this.workDir = workDir;
    this.stream = stream;
  }

  UUID organizationId() {
    return org.organizationId();
  }
}
