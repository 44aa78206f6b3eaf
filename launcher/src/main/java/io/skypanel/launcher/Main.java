package io.skypanel.launcher;

import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java -jar skypanel.jar [up]}: starts the services named in {@code SKYPANEL_SERVICES} and runs
 * until interrupted (Ctrl-C or SIGTERM), then stops everything it started and exits with the JVM's status for
 * that signal (130 after SIGINT, 143 after SIGTERM). A failed start prints one line saying why and exits with
 * status 1.
 */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final long START_WAIT_SECONDS = 300;
  private static final long STOP_WAIT_SECONDS = 60;

  private Main() {
  }

  public static void main(String[] args) {
    String command = args.length == 0 ? "up" : args[0];
    switch (command) {
      case "up" -> up();
      case "help", "-h", "--help" -> System.out.println(usage());
      default -> {
        System.err.println("unknown command '" + command + "'\n" + usage());
        System.exit(2);
      }
    }
  }

  private static String usage() {
    return """
        usage: java -jar skypanel.jar [up]
          up    start the services named in SKYPANEL_SERVICES and run until interrupted (default)
        Every setting in conf/skypanel.properties can be overridden by an environment variable of the same name.""";
  }

  private static void up() {
    CompletableFuture<RunningPlatform> starting = toCompletable(Launcher.start());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> shutdown(starting), "skypanel-shutdown"));
    try {
      starting.get();
    } catch (ExecutionException e) {
      LOG.error("SkyPanel failed to start: {}", describe(e.getCause()));
      System.exit(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.exit(1);
    }
    // Vert.x threads keep the JVM alive until the shutdown hook stops them
  }

  /** Runs on Ctrl-C / SIGTERM / System.exit; waits for a start still in progress, then stops. */
  private static void shutdown(CompletableFuture<RunningPlatform> starting) {
    RunningPlatform running;
    try {
      running = starting.get(START_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return; // a failed start has already stopped what it had started
    } catch (InterruptedException | TimeoutException e) {
      LOG.warn("SkyPanel was still starting; exiting without a clean stop");
      return;
    }
    LOG.info("stopping SkyPanel");
    try {
      toCompletable(running.stop()).get(STOP_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      LOG.warn("SkyPanel did not stop cleanly: {}", describe(e.getCause()));
    } catch (InterruptedException | TimeoutException e) {
      LOG.warn("SkyPanel did not stop within {} s", STOP_WAIT_SECONDS);
    }
  }

  private static <T> CompletableFuture<T> toCompletable(Future<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    future.onComplete(result::complete, result::completeExceptionally);
    return result;
  }

  /** The failure's message, followed by the causes whose messages add something, on one line. */
  static String describe(Throwable error) {
    Set<String> parts = new LinkedHashSet<>();
    String line = "";
    for (Throwable t = error; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
      // first line only: some libraries (Flyway) append multi-line diagnostics
      String message = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage().strip().lines().findFirst().orElse("").strip();
      if (!line.contains(message) && parts.add(message)) {
        line = String.join(": ", parts);
      }
    }
    return line;
  }
}
