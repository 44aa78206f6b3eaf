# Summarises `jfr print --events jdk.ObjectAllocationSample` output as JSON (unsorted; run.sh sorts): the share
# of sampled allocation weight by class and by allocating frame. Threads of the tools themselves (jcmd's
# Attach Listener, JFR) are left out, and so is each thread's first sample: its weight is everything the thread
# allocated before the recording started. POSIX awk (mawk) only.

function esc(s) {
  gsub(/\\/, "\\\\", s)
  gsub(/"/, "\\\"", s)
  return s
}

function finish(    ) {
  if (in_event && !(thread in seen)) {
    seen[thread] = 1
  } else if (in_event && thread !~ /^(Attach Listener|JFR )/ && weight > 0) {
    total += weight
    by_class[class] += weight
    if (frame != "") by_frame[frame] += weight
  }
  in_event = 0
}

/^jdk\.ObjectAllocationSample/ { finish(); in_event = 1; class = "?"; weight = 0; thread = "?"; frame = ""; in_stack = 0; next }
in_event && /objectClass = / { class = $3; next }
in_event && /weight = / {
  weight = $3
  if ($4 ~ /^kB/) weight *= 1024
  else if ($4 ~ /^MB/) weight *= 1048576
  else if ($4 ~ /^GB/) weight *= 1073741824
  next
}
in_event && /eventThread = / { thread = $0; sub(/^[^"]*"/, "", thread); sub(/".*$/, "", thread); next }
in_event && /stackTrace = \[/ { in_stack = 1; next }
in_event && in_stack && frame == "" && !/^[ \t]*\]/ {
  frame = $0
  sub(/^[ \t]+/, "", frame)
  sub(/[ \t]+line:.*$/, "", frame)
  next
}
in_event && in_stack && /^[ \t]*\]/ { in_stack = 0; next }
/^}/ { finish(); next }

END {
  finish()
  t = total > 0 ? total : 1
  printf "{\"sampled_bytes\":%.0f,\"classes\":[", total
  sep = ""
  for (c in by_class) { printf "%s{\"class\":\"%s\",\"share\":%.4f}", sep, esc(c), by_class[c] / t; sep = "," }
  printf "],\"sites\":["
  sep = ""
  for (f in by_frame) { printf "%s{\"frame\":\"%s\",\"share\":%.4f}", sep, esc(f), by_frame[f] / t; sep = "," }
  printf "]}\n"
}
