# Summarises `jfr print --events jdk.ExecutionSample,jdk.NativeMethodSample --stack-depth N` output as JSON
# (unsorted; run.sh sorts):
#   samples        execution samples (threads running Java code)
#   top_frames     share of execution samples whose top (self) frame is that method
#   areas          share of execution samples with at least one frame in that area (inclusive; areas overlap)
#   threads        share of execution samples per thread pool
#   native_samples samples of threads in native code that were working (socket and file writes, reads);
#                  waiting in epoll/poll is counted apart as native_idle_samples
#   native_frames  share of native_samples by thread pool and the native method
# POSIX awk (mawk) only: no gawk extensions.

function esc(s) {
  gsub(/\\/, "\\\\", s)
  gsub(/"/, "\\\"", s)
  return s
}

function finish_sample(    a) {
  if (!in_sample) return
  if (native) {
    if (top ~ /EPoll\.wait|EPollSelectorImpl|Net\.poll|poll0|Object\.wait|Unsafe\.park|accept0/) {
      native_idle++
    } else {
      native_samples++
      native_by[thread " | " top]++
    }
    for (a = 1; a <= n_areas; a++) hit[a] = 0
    in_sample = 0
    return
  }
  samples++
  if (top != "") self[top]++
  for (a = 1; a <= n_areas; a++) if (hit[a]) { area_count[a]++; hit[a] = 0 }
  thread_count[thread]++
  in_sample = 0
}

BEGIN {
  n_areas = 0
  area_name[++n_areas] = "TLS (netty SslHandler, JDK SSLEngine and crypto)"
  area_re[n_areas] = "io\\.netty\\.handler\\.ssl|sun\\.security\\.ssl|com\\.sun\\.crypto|javax\\.crypto|sun\\.security\\.(provider|util)"
  area_name[++n_areas] = "access log (AccessLog, logback, console appender)"
  area_re[n_areas] = "io\\.skypanel\\.edge\\.observability\\.AccessLog|ch\\.qos\\.logback"
  area_name[++n_areas] = "access log entry (ObservedHandler building the JSON line)"
  area_re[n_areas] = "ObservedHandler\\.lambda"
  area_name[++n_areas] = "JSON encoding (vertx json / jackson)"
  area_re[n_areas] = "io\\.vertx\\.core\\.json|com\\.fasterxml\\.jackson"
  area_name[++n_areas] = "EdgeMetrics.request (builder + registry lookup + histogram per request)"
  area_re[n_areas] = "EdgeMetrics\\.request"
  area_name[++n_areas] = "Vert.x Micrometer metrics (HTTP server/client/pool)"
  area_re[n_areas] = "io\\.vertx\\.micrometer"
  area_name[++n_areas] = "Micrometer, all callers"
  area_re[n_areas] = "io\\.micrometer"
  area_name[++n_areas] = "UUID.randomUUID (X-Request-Id, SecureRandom)"
  area_re[n_areas] = "java\\.util\\.UUID\\.randomUUID"
  area_name[++n_areas] = "Instant.now/toString (access log time)"
  area_re[n_areas] = "java\\.time\\.Instant\\.(now|toString)|java\\.time\\.format"
  area_name[++n_areas] = "regex (String.matches etc.)"
  area_re[n_areas] = "java\\.util\\.regex"
  area_name[++n_areas] = "vertx-http-proxy (interceptor chain, request/response copy)"
  area_re[n_areas] = "io\\.vertx\\.httpproxy"
  area_name[++n_areas] = "edge proxy code (io.skypanel.edge.proxy/routing)"
  area_re[n_areas] = "io\\.skypanel\\.edge\\.(proxy|routing)"
  area_name[++n_areas] = "HTTP/1.1 codec (netty)"
  area_re[n_areas] = "io\\.netty\\.handler\\.codec\\.http"
  area_name[++n_areas] = "HTTP client connection pool (vertx)"
  area_re[n_areas] = "io\\.vertx\\.core\\.net\\.impl\\.pool|io\\.vertx\\.core\\.http\\.impl\\.(HttpClientImpl|SharedHttpClientConnectionGroup|HttpClientConnectionGroup)"
  area_name[++n_areas] = "socket read/write (NIO, Java side)"
  area_re[n_areas] = "sun\\.nio\\.ch\\.|io\\.netty\\.channel\\.socket\\.nio"
  area_name[++n_areas] = "buffer allocation/copy (netty ByteBuf)"
  area_re[n_areas] = "io\\.netty\\.buffer\\."
  samples = 0
}

/^jdk\.ExecutionSample/ { finish_sample(); in_sample = 1; native = 0; top = ""; thread = "?"; in_stack = 0; next }
/^jdk\.NativeMethodSample/ { finish_sample(); in_sample = 1; native = 1; top = ""; thread = "?"; in_stack = 0; next }
in_sample && /sampledThread = / {
  thread = $0
  sub(/^[^"]*"/, "", thread)
  sub(/".*$/, "", thread)
  gsub(/[0-9]+$/, "N", thread) # one line per pool, not per thread: counts per thread are in run.sh's CPU table
  next
}
in_sample && /stackTrace = \[/ { in_stack = 1; next }
in_sample && in_stack && /^[ \t]*\]/ { in_stack = 0; next }
in_sample && in_stack {
  frame = $0
  sub(/^[ \t]+/, "", frame)
  sub(/[ \t]+line:.*$/, "", frame)
  if (frame == "...") next
  if (top == "") top = frame
  for (a = 1; a <= n_areas; a++) if (!hit[a] && frame ~ area_re[a]) hit[a] = 1
  next
}
/^}/ { finish_sample(); next }

END {
  finish_sample()
  total = samples > 0 ? samples : 1
  printf "{\"samples\":%d,\"top_frames\":[", samples
  sep = ""
  for (f in self) { printf "%s{\"frame\":\"%s\",\"share\":%.4f}", sep, esc(f), self[f] / total; sep = "," }
  printf "],\"areas\":["
  sep = ""
  for (a = 1; a <= n_areas; a++) { printf "%s{\"area\":\"%s\",\"share\":%.4f}", sep, esc(area_name[a]), area_count[a] / total; sep = "," }
  printf "],\"threads\":["
  sep = ""
  for (t in thread_count) { printf "%s{\"thread\":\"%s\",\"share\":%.4f}", sep, esc(t), thread_count[t] / total; sep = "," }
  printf "],\"native_samples\":%d,\"native_idle_samples\":%d,\"native_frames\":[", native_samples, native_idle
  sep = ""
  n = native_samples > 0 ? native_samples : 1
  for (k in native_by) { printf "%s{\"frame\":\"%s\",\"share\":%.4f}", sep, esc(k), native_by[k] / n; sep = "," }
  printf "]}\n"
}
