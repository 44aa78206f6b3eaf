package io.skypanel.logs.stream;

/**
 * One log line as every backend delivers it.
 *
 * @param tsNanos Unix time of the line in nanoseconds, as Loki and Docker record it
 * @param stream  {@code stdout} or {@code stderr}
 * @param line    the line without its trailing newline
 * @param process which part of an environment wrote it ({@code web}, {@code worker}, {@code release}, {@code run}),
 *                from the task's {@code skypanel.process} label; null for a container's lines
 */
public record LogEntry(long tsNanos, String stream, String line, String process) {

  /** A line that belongs to no environment process (a container's). */
  public LogEntry(long tsNanos, String stream, String line) {
    this(tsNanos, stream, line, null);
  }

  public LogEntry withProcess(String value) {
    return new LogEntry(tsNanos, stream, line, value);
  }

  public LogEntry withTsNanos(long value) {
    return new LogEntry(value, stream, line, process);
  }

  /**
   * What tells two lines at the same timestamp apart when repeats are removed: the same text from two processes
   * of one environment is two lines, not a repeat.
   */
  public String identity() {
    return (process == null ? "" : process) + '\n' + stream + '\n' + line;
  }
}
