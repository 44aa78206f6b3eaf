package io.skypanel.logs.stream;

/**
 * Which past lines a viewer gets before the live ones.
 *
 * @param fromNanos first timestamp wanted (inclusive); ignored when {@code last}
 * @param limit     at most this many lines
 * @param last      the newest {@code limit} lines (like {@code tail -n}) instead of the first ones from {@code fromNanos}
 */
public record Backfill(long fromNanos, int limit, boolean last) {
}
