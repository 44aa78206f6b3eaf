package io.skypanel.logs.loki;

import io.skypanel.logs.stream.LogEntry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Reads Loki's stream results ({@code [{"stream":{labels},"values":[["<ns>","<line>"],...]}]}) as entries. */
final class LokiStreams {

  /** The label Loki's Docker and Promtail pipelines put stdout/stderr in. */
  static final String STREAM_LABEL = "stream";
  /** The label the pipeline makes of the Swarm label {@code skypanel.process}: which process of an environment. */
  static final String PROCESS_LABEL = "skypanel_process";

  private LokiStreams() {
  }

  /** Every entry of every stream, oldest first (ties keep Loki's order). */
  static List<LogEntry> entries(JsonArray streams) {
    List<LogEntry> entries = new ArrayList<>();
    if (streams == null) {
      return entries;
    }
    for (int i = 0; i < streams.size(); i++) {
      JsonObject stream = streams.getJsonObject(i);
      JsonObject labels = stream.getJsonObject("stream", new JsonObject());
      String name = "stderr".equals(labels.getString(STREAM_LABEL)) ? "stderr" : "stdout";
      String process = labels.getString(PROCESS_LABEL);
      JsonArray values = stream.getJsonArray("values", new JsonArray());
      for (int j = 0; j < values.size(); j++) {
        JsonArray value = values.getJsonArray(j);
        entries.add(new LogEntry(Long.parseLong(value.getString(0)), name, value.getString(1), process));
      }
    }
    entries.sort(Comparator.comparingLong(LogEntry::tsNanos));
    return entries;
  }
}
