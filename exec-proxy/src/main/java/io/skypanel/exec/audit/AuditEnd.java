package io.skypanel.exec.audit;

/**
 * How a session ended, as recorded in its audit row.
 *
 * @param exitCode   the process's exit code, null when unknown (it was still running when the session gave up on it)
 * @param transcript the gzip recording, or null when the tier does not record sessions
 */
public record AuditEnd(long durationMs, Integer exitCode, String status, String reason, long bytesIn, long bytesOut, byte[] transcript) {
}
