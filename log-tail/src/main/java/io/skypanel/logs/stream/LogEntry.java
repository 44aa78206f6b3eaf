package io.skypanel.logs.stream;

/**
 * One log line as every backend delivers it.
 *
 * @param tsNanos Unix time of the line in nanoseconds, as Loki and Docker record it
 * @param stream  {@code stdout} or {@code stderr}
 * @param line    the line without its trailing newline
 */
public record LogEntry(long tsNanos, String stream, String line) {
}
