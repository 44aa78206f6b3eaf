package io.skypanel.exec.engine;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/** Reads {@code paas_nodes}: where a Swarm node's engine answers. */
public final class NodeRepository {

  private static final String BY_SWARM_ID = """
      SELECT hostname, labels->>'docker_host' AS docker_host FROM paas_nodes WHERE swarm_node_id = $1""";

  /** A registered node; {@code dockerHost} is null when its labels name no engine address. */
  public record Node(String hostname, String dockerHost) {
  }

  private final Pool pool;

  public NodeRepository(Pool pool) {
    this.pool = pool;
  }

  /** The node with this Swarm id, or null when it is not registered. */
  public Future<Node> bySwarmId(String swarmNodeId) {
    return pool.preparedQuery(BY_SWARM_ID).execute(Tuple.of(swarmNodeId)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      String host = row.getString("docker_host");
      return new Node(row.getString("hostname"), host == null || host.isBlank() ? null : host.trim());
    });
  }
}
