package io.skypanel.exec.exec;

import io.skypanel.common.errors.ApiException;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.List;

/** Validates what a client asks to run: an argv of 1..256 arguments of at most 4096 characters, no NUL bytes. */
public final class ExecCommand {

  /** What a console runs when the client names nothing. */
  public static final List<String> DEFAULT_SHELL = List.of("/bin/sh");
  static final int MAX_ARGS = 256;
  static final int MAX_ARG_LENGTH = 4096;

  private ExecCommand() {
  }

  /** An argv given as a list (console query parameters); empty means the default shell. */
  public static List<String> argvOrShell(List<String> argv) {
    return argv == null || argv.isEmpty() ? DEFAULT_SHELL : argv(argv);
  }

  /** A one-off exec's {@code command}: an argv array, or a string run by {@code /bin/sh -c}. */
  public static List<String> fromJson(Object command) {
    if (command instanceof String line) {
      if (line.isBlank()) {
        throw ApiException.validation("command must not be blank", null);
      }
      return argv(List.of("/bin/sh", "-c", line));
    }
    if (command instanceof JsonArray array) {
      List<String> argv = new ArrayList<>();
      for (Object item : array) {
        if (!(item instanceof String text)) {
          throw ApiException.validation("command must be an array of strings or a string", null);
        }
        argv.add(text);
      }
      return argv(argv);
    }
    throw ApiException.validation("command is required: an array of strings (argv) or a string run by /bin/sh -c", null);
  }

  static List<String> argv(List<String> argv) {
    if (argv.isEmpty() || argv.size() > MAX_ARGS) {
      throw ApiException.validation("command must have 1 to " + MAX_ARGS + " arguments", null);
    }
    if (argv.get(0) == null || argv.get(0).isBlank()) {
      throw ApiException.validation("the program (first argument of command) must not be blank", null);
    }
    for (String arg : argv) {
      if (arg == null || arg.length() > MAX_ARG_LENGTH || arg.indexOf('\0') >= 0) {
        throw ApiException.validation("every argument of command must be at most " + MAX_ARG_LENGTH + " characters without NUL bytes", null);
      }
    }
    return List.copyOf(argv);
  }
}
