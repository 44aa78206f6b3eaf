package io.skypanel.controlplane.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code git} client ({@code /usr/bin/git}) for tests of the git endpoints: no user or system config, no
 * prompts (a 401 fails at once), a fixed identity, so runs are repeatable.
 */
public final class GitCli {

  private static final String GIT = "/usr/bin/git";

  private final Path home;

  public GitCli(Path home) {
    this.home = home;
  }

  /** What a git command did. */
  public record Result(int exit, String stdout, String stderr) {
    public Result orFail() {
      if (exit != 0) {
        throw new AssertionError("git failed (" + exit + "): " + stderr);
      }
      return this;
    }
  }

  public Result run(Path dir, String... args) {
    List<String> command = new ArrayList<>(List.of(GIT));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = builder.environment();
    env.put("HOME", home.toString());
    env.put("GIT_CONFIG_NOSYSTEM", "1");
    env.put("GIT_TERMINAL_PROMPT", "0");
    env.put("GIT_ASKPASS", "/bin/false");
    env.put("GIT_AUTHOR_NAME", "Test");
    env.put("GIT_AUTHOR_EMAIL", "test@example.test");
    env.put("GIT_COMMITTER_NAME", "Test");
    env.put("GIT_COMMITTER_EMAIL", "test@example.test");
    try {
      Path out = Files.createTempFile(home, "git-out", ".txt");
      Path err = Files.createTempFile(home, "git-err", ".txt");
      Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("git " + String.join(" ", args) + " did not finish in 120 s");
      }
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A new repository on {@code main} in a new directory under the home. */
  public Path init(String name) {
    try {
      Path dir = Files.createDirectories(home.resolve(name));
      run(dir, "init", "-q", "-b", "main").orFail();
      return dir;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes {@code files} (path to content) into {@code dir} and commits them; the commit's sha. */
  public String commit(Path dir, Map<String, String> files, String message) {
    try {
      for (var file : files.entrySet()) {
        Path path = dir.resolve(file.getKey());
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue());
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    run(dir, "add", "-A").orFail();
    run(dir, "commit", "-q", "-m", message).orFail();
    return run(dir, "rev-parse", "HEAD").orFail().stdout().strip();
  }
}
