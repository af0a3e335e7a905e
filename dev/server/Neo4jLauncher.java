import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Starts a Neo4j Community DBMS (embedded, from Maven Central) with its Bolt connector on a
 * loopback port and authentication on, for the tests, the demo and the benchmarks.
 *
 * <p>Arguments are key=value pairs: home (required), password (required), major (4, 5 or a
 * CalVer year), port (default: a free one), pagecache (default 1g), keep (true: shut down
 * cleanly and keep the files; default false: delete them), and any number of
 * setting.NAME=VALUE, added to neo4j.conf as NAME=VALUE.
 *
 * <p>Prints one line {@code READY <port> <version>} on stdout when Bolt answers. Runs until its
 * standard input closes (the parent ended, however it ended), then stops.
 */
public final class Neo4jLauncher {
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq < 0) throw new IllegalArgumentException("expected key=value, got " + arg);
      opts.put(arg.substring(0, eq), arg.substring(eq + 1));
    }
    Path home = Paths.get(require(opts, "home")).toAbsolutePath();
    String password = require(opts, "password");
    int major = Integer.parseInt(opts.getOrDefault("major", "5"));
    boolean keep = Boolean.parseBoolean(opts.getOrDefault("keep", "false"));
    String pagecache = opts.getOrDefault("pagecache", "1g");
    int port = opts.containsKey("port") ? Integer.parseInt(opts.get("port")) : freePort();

    Files.createDirectories(home.resolve("conf"));
    Path conf = home.resolve("conf/neo4j.conf");
    StringBuilder settings = new StringBuilder(config(major, port, pagecache));
    for (Map.Entry<String, String> entry : opts.entrySet()) {
      if (entry.getKey().startsWith("setting.")) {
        settings.append(entry.getKey().substring("setting.".length()))
            .append('=').append(entry.getValue()).append('\n');
      }
    }
    Files.writeString(conf, settings.toString());
    boolean fresh = !Files.exists(home.resolve("data/databases/neo4j"));

    DatabaseManagementService dbms =
        new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(conf).build();
    if (fresh) {
      dbms.database("system")
          .executeTransactionally(
              "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
              Map.of("password", password));
    }
    String version = org.neo4j.kernel.internal.Version.getNeo4jVersion();
    System.out.println("READY " + port + " " + version);
    System.out.flush();

    while (System.in.read() != -1) {
      // Wait for the parent to close our standard input.
    }
    if (keep) {
      dbms.shutdown();
      System.exit(0);
    }
    // Throwaway data: skip the clean shutdown (it takes seconds), delete the files, leave.
    deleteTree(home);
    Runtime.getRuntime().halt(0);
  }

  private static String config(int major, int port, String pagecache) {
    String listen = "127.0.0.1:" + port;
    if (major == 4) {
      return String.join(
          "\n",
          "dbms.connector.bolt.enabled=true",
          "dbms.connector.bolt.listen_address=" + listen,
          "dbms.connector.http.enabled=false",
          "dbms.connector.https.enabled=false",
          "dbms.security.auth_enabled=true",
          "dbms.security.auth_max_failed_attempts=0",
          "dbms.udc.enabled=false",
          "dbms.memory.pagecache.size=" + pagecache,
          "dbms.tx_log.rotation.retention_policy=1 files",
          "");
    }
    return String.join(
        "\n",
        "server.bolt.enabled=true",
        "server.bolt.listen_address=" + listen,
        "server.http.enabled=false",
        "server.https.enabled=false",
        "dbms.security.auth_enabled=true",
        "dbms.security.auth_max_failed_attempts=0",
        "dbms.usage_report.enabled=false",
        "server.memory.pagecache.size=" + pagecache,
        "db.tx_log.rotation.retention_policy=1 files",
        "");
  }

  private static String require(Map<String, String> opts, String key) {
    String value = opts.get(key);
    if (value == null) throw new IllegalArgumentException("missing " + key + "=...");
    return value;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // Best effort: the parent removes what is left.
    }
  }
}
