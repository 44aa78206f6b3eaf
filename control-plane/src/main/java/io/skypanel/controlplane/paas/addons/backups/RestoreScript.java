package io.skypanel.controlplane.paas.addons.backups;

import java.time.Duration;

/**
 * The shell a restore helper runs while {@link BackupTransfer#copyIn} copies the dump into it: the dump file first,
 * then a marker that only follows a dump whose checksum and size were proven.
 *
 * <ul>
 *   <li>{@link #onceArrived}: wait for the marker, then restore from the file (copy, then restore).</li>
 *   <li>{@link #asItArrives}: feed the engine's restore the file as it grows ({@code tail -F}) up to all but its last
 *       {@link #HELD_BACK_BYTES}, wait for the marker, then feed those last bytes (copy and restore overlap). A damaged
 *       dump never gets its marker: the input ends early, and an all-or-nothing restore rolls back.</li>
 * </ul>
 *
 * The bytes held back are more than a pipe holds (64 KiB) plus tail's own buffer, so once {@code head} has taken its
 * share {@code tail} is always blocked writing the rest and ends on the broken pipe instead of following forever.
 */
final class RestoreScript {

  /** What the streamed restore waits for the marker to read: 1 MiB. */
  static final long HELD_BACK_BYTES = 1 << 20;

  private RestoreScript() {
  }

  /** Waits (bounded by {@code timeout}) for the marker, then runs {@code restore}. */
  static String onceArrived(Duration timeout, String restore) {
    return awaitMarker(BackupTransfer.RESTORE_MARKER, timeout) + "\n" + restore;
  }

  /** Streams the growing dump of {@code dumpBytes} bytes into {@code restoreFromInput}, its last bytes only once proven. */
  static String asItArrives(long dumpBytes, Duration timeout, String restoreFromInput) {
    return asItArrives(BackupTransfer.RESTORE_FILE, BackupTransfer.RESTORE_MARKER, dumpBytes, timeout, restoreFromInput);
  }

  /** The same with the file and the marker elsewhere (tests run it on the host). */
  static String asItArrives(String file, String marker, long dumpBytes, Duration timeout, String restoreFromInput) {
    if (dumpBytes <= HELD_BACK_BYTES) {
      throw new IllegalArgumentException("a dump of " + dumpBytes + " bytes is restored once arrived");
    }
    // -s: GNU tail polls overlay filesystems (it does not trust inotify there); a tenth of a second, not a second
    return "{ tail -c +1 -s 0.1 -F " + file + " 2>/dev/null | head -c " + (dumpBytes - HELD_BACK_BYTES) + "; "
        + awaitMarker(marker, timeout) + "; "
        + "tail -c " + HELD_BACK_BYTES + " " + file + "; } | { " + restoreFromInput + "; }";
  }

  /** 5 looks a second (GNU and busybox sleep take fractions); exits 3 when nothing came in time. */
  private static String awaitMarker(String marker, Duration timeout) {
    long waits = Math.max(1, timeout.toSeconds()) * 5;
    return "i=0; while [ ! -f " + marker + " ]; do i=$((i+1)); "
        + "if [ $i -gt " + waits + " ]; then echo 'no dump arrived' >&2; exit 3; fi; sleep 0.2; done";
  }
}
