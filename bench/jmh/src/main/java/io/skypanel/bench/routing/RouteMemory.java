package io.skypanel.bench.routing;

import io.skypanel.edge.routing.Route;
import io.skypanel.edge.routing.RouteTable;
import org.openjdk.jol.info.GraphLayout;
import org.openjdk.jol.vm.VM;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Memory per route of a {@link RouteTable} holding N routes (default 100,000), measured two ways that should
 * agree: the retained object graph walked by JOL ({@link GraphLayout}), and the heap growth after full GCs.
 * {@code java -cp benchmarks.jar io.skypanel.bench.routing.RouteMemory [routes] [json-file]}; run it with
 * {@code -XX:+UseSerialGC} so that "used after GC" is exact.
 */
public final class RouteMemory {

  private RouteMemory() {
  }

  public static void main(String[] args) throws Exception {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    Path json = args.length > 1 ? Path.of(args[1]) : null;

    GraphLayout emptyLayout = GraphLayout.parseInstance(new RouteTable());

    long before = usedAfterGc();
    RouteTable table = new RouteTable();
    List<Route> routes = Routes.routes(count);
    table.replaceAll(routes);
    routes = null; // only the table keeps them now
    long after = usedAfterGc();
    long heapDelta = after - before;

    GraphLayout layout = GraphLayout.parseInstance(table);
    long retained = layout.totalSize() - emptyLayout.totalSize();
    if (table.size() != count) {
      throw new IllegalStateException("the table holds " + table.size() + " routes, not " + count);
    }

    System.out.println(VM.current().details());
    System.out.println("Retained by a RouteTable of " + count + " routes, by class (JOL):");
    System.out.println(layout.toFootprint());
    System.out.printf(Locale.ROOT, "routes: %d%n", count);
    System.out.printf(Locale.ROOT, "JOL retained size: %d bytes = %.1f bytes per route%n", retained, (double) retained / count);
    System.out.printf(Locale.ROOT, "heap delta after full GC: %d bytes = %.1f bytes per route%n", heapDelta, (double) heapDelta / count);
    if (json != null) {
      Files.writeString(json, String.format(Locale.ROOT,
          "{\"routes\":%d,\"jol_retained_bytes\":%d,\"jol_bytes_per_route\":%.1f,\"heap_delta_bytes\":%d,\"heap_delta_bytes_per_route\":%.1f,\"objects\":%d}%n",
          count, retained, (double) retained / count, heapDelta, (double) heapDelta / count, layout.totalCount() - emptyLayout.totalCount()));
    }
    // keep the table reachable until both measurements are done
    System.out.println("(table still holds " + table.size() + " routes)");
  }

  /** Heap in use after full collections, repeated until it stops shrinking. */
  private static long usedAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long previous = Long.MAX_VALUE;
    for (int i = 0; i < 10; i++) {
      System.gc();
      long used = memory.getHeapMemoryUsage().getUsed();
      if (used >= previous) {
        return used;
      }
      previous = used;
    }
    return previous;
  }
}
