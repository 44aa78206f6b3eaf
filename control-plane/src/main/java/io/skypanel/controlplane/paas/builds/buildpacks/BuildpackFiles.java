package io.skypanel.controlplane.paas.builds.buildpacks;

import io.skypanel.controlplane.paas.builds.BuildFailedException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a buildpack, by slug: from the operator's directory ({@code SKYPANEL_BUILDPACKS_DIR}/{@code <slug>},
 * every file, executable bits kept) when it has one, else the shipped ones packaged in the jar from the repository's
 * {@code buildpacks/} ({@code buildpacks/<slug>/bin/detect|compile|release}). Blocking: called on a worker.
 */
public final class BuildpackFiles {

  /** The scripts of the classic contract; a shipped buildpack is exactly these. */
  static final List<String> CONTRACT = List.of("bin/detect", "bin/compile", "bin/release");

  private final Path directory;

  /** @param directory the operator's buildpack directory, or null */
  public BuildpackFiles(Path directory) {
    this.directory = directory;
  }

  /** One file of a buildpack: its path inside the buildpack, its bytes, whether it is executable. */
  public record File(String path, byte[] content, boolean executable) {
  }

  /** The buildpack's files; fails the build when neither place has its three scripts. */
  public List<File> load(String slug) {
    if (directory != null && Files.isDirectory(directory.resolve(slug))) {
      return fromDirectory(slug, directory.resolve(slug));
    }
    List<File> files = new ArrayList<>();
    for (String script : CONTRACT) {
      try (InputStream in = BuildpackFiles.class.getClassLoader().getResourceAsStream("buildpacks/" + slug + "/" + script)) {
        if (in == null) {
          throw new BuildFailedException("buildpack " + slug + " is in the catalog but its " + script + " is not installed on the platform");
        }
        files.add(new File(script, in.readAllBytes(), true));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return files;
  }

  private static List<File> fromDirectory(String slug, Path root) {
    List<File> files = new ArrayList<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.filter(Files::isRegularFile).sorted().toList()) {
        files.add(new File(root.relativize(path).toString().replace('\\', '/'), Files.readAllBytes(path), Files.isExecutable(path)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (String script : CONTRACT) {
      if (files.stream().noneMatch(file -> file.path().equals(script))) {
        throw new BuildFailedException("buildpack " + slug + " in " + root + " has no " + script);
      }
    }
    return files;
  }
}
