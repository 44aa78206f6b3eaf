package io.skypanel.controlplane.paas.builds.buildpacks;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.skypanel.controlplane.paas.builds.BuildFailedException;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The hardened builder container, in blocking docker-java calls (the caller runs them on the engine's slow pool):
 * the stack's build image as the unprivileged build user, every capability dropped, {@code no-new-privileges}, the
 * build's CPU and memory (no swap) and a pids limit, a tmpfs {@code /tmp}, no published port, no Docker socket, and
 * the network {@code none} unless the operator names one. It runs only a keeper ({@code sleep}); each buildpack step
 * is a {@code docker exec}, so every step has its own exit code and streamed output. The app's build cache is a named
 * volume ({@code skypanel-buildcache-<app id>}) mounted at {@code /cache}, kept between builds.
 */
final class BuilderContainer {

  static final String APP_DIR = "app";
  static final String CACHE_DIR = "cache";
  static final String ENV_DIR = "env";
  /** The unprivileged user of the stack images (scripts/build-images.sh adds it to every image). */
  static final int BUILD_UID = 10001;
  static final String LABEL_BUILD = "skypanel.build";
  static final String LABEL_APP = "skypanel.app";
  static final String PATH = "/usr/local/bin:/usr/bin:/bin";

  /**
   * What a builder container is made of.
   *
   * @param labels organization, app and build (so an operator and a janitor can find leftovers)
   */
  record Spec(String image, String name, Map<String, String> labels, String cacheVolume, double cpu, int memoryMb,
              long pidsLimit, String network, List<String> env) {
  }

  private BuilderContainer() {
  }

  static String cacheVolume(java.util.UUID appId) {
    return "skypanel-buildcache-" + appId;
  }

  /** Removes the app's cache volume (the app is gone, so no builder container of it runs); one already gone is fine. */
  static void removeCacheVolume(DockerClient docker, java.util.UUID appId) {
    try {
      docker.removeVolumeCmd(cacheVolume(appId)).exec();
    } catch (NotFoundException e) {
      // never built with buildpacks, or already removed
    }
  }

  /**
   * Creates the cache volume if needed and the container, copies {@code archive} in at {@code /}, then
   * {@code configVars} (the ENV_DIR archive, or null) from memory, and starts it.
   */
  static String start(DockerClient docker, Spec spec, Path archive, byte[] configVars) throws Exception {
    boolean volumeExists;
    try {
      docker.inspectVolumeCmd(spec.cacheVolume()).exec();
      volumeExists = true;
    } catch (NotFoundException e) {
      volumeExists = false;
    }
    if (!volumeExists) {
      docker.createVolumeCmd().withName(spec.cacheVolume()).withLabels(Map.of(
          io.skypanel.common.docker.Labels.ORG, spec.labels().get(io.skypanel.common.docker.Labels.ORG),
          LABEL_APP, spec.labels().get(LABEL_APP))).exec();
    }
    HostConfig host = HostConfig.newHostConfig()
        .withCapDrop(Capability.ALL)
        .withSecurityOpts(List.of("no-new-privileges"))
        .withPidsLimit(spec.pidsLimit())
        .withNetworkMode(spec.network())
        .withInit(true)
        .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=1g"))
        .withMounts(List.of(new Mount().withType(MountType.VOLUME).withSource(spec.cacheVolume()).withTarget("/" + CACHE_DIR)));
    if (spec.memoryMb() > 0) {
      long bytes = spec.memoryMb() * 1024L * 1024L;
      host.withMemory(bytes).withMemorySwap(bytes);
    }
    if (spec.cpu() > 0) {
      host.withNanoCPUs(Math.round(spec.cpu() * 1e9));
    }
    String id;
    try {
      id = docker.createContainerCmd(spec.image())
          .withName(spec.name())
          .withUser(BUILD_UID + ":" + BUILD_UID)
          .withWorkingDir("/" + APP_DIR)
          .withEnv(spec.env())
          .withLabels(spec.labels())
          .withCmd("sleep", "infinity")
          .withHostConfig(host)
          .exec().getId();
    } catch (NotFoundException e) {
      // stack images are built on each engine by scripts/build-images.sh; no registry has them
      throw new BuildFailedException("the stack's build image " + spec.image() + " is not on this engine (an operator builds it with "
          + "scripts/build-images.sh)", e);
    }
    try (InputStream in = Files.newInputStream(archive)) {
      docker.copyArchiveToContainerCmd(id).withRemotePath("/").withTarInputStream(in).exec();
    }
    if (configVars != null) {
      docker.copyArchiveToContainerCmd(id).withRemotePath("/").withTarInputStream(new java.io.ByteArrayInputStream(configVars)).exec();
    }
    docker.startContainerCmd(id).exec();
    return id;
  }

  /** Starts {@code command} as an exec streaming into {@code output}; returns the exec id at once. */
  static String exec(DockerClient docker, String containerId, List<String> env, OutputLines output, String... command) {
    String execId = docker.execCreateCmd(containerId).withCmd(command).withEnv(env)
        .withAttachStdout(true).withAttachStderr(true).withWorkingDir("/" + APP_DIR).exec().getId();
    docker.execStartCmd(execId).exec(output);
    return execId;
  }

  /** The exit code of an exec that has ended. */
  static int exitCode(DockerClient docker, String execId) {
    Long code = docker.inspectExecCmd(execId).exec().getExitCodeLong();
    return code == null ? -1 : code.intValue();
  }

  /** A tar stream of {@code /app} (entries {@code app/...}); the caller closes it. */
  static InputStream export(DockerClient docker, String containerId) {
    return docker.copyArchiveFromContainerCmd(containerId, "/" + APP_DIR).exec();
  }

  /** Removes the container (killing what runs in it); one already gone is fine. The cache volume stays. */
  static void remove(DockerClient docker, String containerId) {
    try {
      docker.removeContainerCmd(containerId).withForce(true).withRemoveVolumes(false).exec();
    } catch (NotFoundException e) {
      // already gone
    }
  }
}
