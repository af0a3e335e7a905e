import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
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
 * setting.NAME=VALUE, added to neo4j.conf as NAME=VALUE (replacing the launcher's own value of
 * NAME, if it has one).
 *
 * <p>Prints one line on stdout: {@code READY <port> <version>} when Bolt answers, or, when
 * Neo4j cannot start, {@code FAILED port-in-use 127.0.0.1:<port>} or {@code FAILED <message>}
 * (one line; the stack trace goes to stderr) and exits with status 1. Runs until its standard
 * input closes (the parent ended, however it ended), then stops. Unless keep=true, the home
 * folder is deleted whenever the launcher ends: stopped, failed, or ended by SIGINT or SIGTERM.
 */
public final class Neo4jLauncher {
  private static final String HOST = "127.0.0.1";

  private static volatile Path home;
  private static volatile boolean keep;
  private static volatile DatabaseManagementService dbms;
  /** Set once the launcher ends on its own terms, so that the shutdown hook does nothing. */
  private static volatile boolean ending;

  public static void main(String[] args) {
    int port = -1;
    try {
      Map<String, String> opts = new HashMap<>();
      for (String arg : args) {
        int eq = arg.indexOf('=');
        if (eq < 0) throw new IllegalArgumentException("expected key=value, got " + arg);
        opts.put(arg.substring(0, eq), arg.substring(eq + 1));
      }
      home = Paths.get(require(opts, "home")).toAbsolutePath();
      keep = Boolean.parseBoolean(opts.getOrDefault("keep", "false"));
      // SIGINT or SIGTERM (a Ctrl-C in the terminal reaches this process too): leave no files
      // behind, or with keep=true, shut Neo4j down cleanly.
      Runtime.getRuntime().addShutdownHook(new Thread(Neo4jLauncher::onShutdown));
      String password = require(opts, "password");
      int major = Integer.parseInt(opts.getOrDefault("major", "5"));
      String pagecache = opts.getOrDefault("pagecache", "1g");
      port = opts.containsKey("port") ? Integer.parseInt(opts.get("port")) : freePort();
      // Neo4j binds Bolt only after it has created and started its databases: find a taken port
      // now rather than after that work.
      if (!portIsFree(port)) {
        throw new BindException("Address already in use: " + HOST + ":" + port);
      }

      Files.createDirectories(home.resolve("conf"));
      Path conf = home.resolve("conf/neo4j.conf");
      Map<String, String> settings = config(major, port, pagecache);
      for (Map.Entry<String, String> entry : opts.entrySet()) {
        if (entry.getKey().startsWith("setting.")) {
          settings.put(entry.getKey().substring("setting.".length()), entry.getValue());
        }
      }
      StringBuilder text = new StringBuilder();
      settings.forEach((name, value) -> text.append(name).append('=').append(value).append('\n'));
      Files.writeString(conf, text.toString());
      boolean fresh = !Files.exists(home.resolve("data/databases/neo4j"));

      dbms = new DatabaseManagementServiceBuilder(home).loadPropertiesFromFile(conf).build();
      if (fresh) {
        dbms.database("system")
            .executeTransactionally(
                "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                Map.of("password", password));
      }
      String version = org.neo4j.kernel.internal.Version.getNeo4jVersion();
      System.out.println("READY " + port + " " + version);
      System.out.flush();
    } catch (Throwable error) {
      fail(error, port);
    }

    try {
      while (System.in.read() != -1) {
        // Wait for the parent to close our standard input.
      }
    } catch (IOException ignored) {
      // The parent is gone all the same.
    }
    ending = true;
    if (keep) {
      dbms.shutdown();
      System.exit(0);
    }
    // Throwaway data: skip the clean shutdown (it takes seconds), delete the files, leave.
    deleteTree(home);
    Runtime.getRuntime().halt(0);
  }

  /** Reports a failed start in one line on stdout (the details on stderr), cleans up, exits 1. */
  private static void fail(Throwable error, int port) {
    ending = true;
    if (port > 0 && isBindFailure(error)) {
      System.out.println("FAILED port-in-use " + HOST + ":" + port);
    } else {
      error.printStackTrace();
      System.out.println("FAILED " + oneLine(error));
    }
    System.out.flush();
    // A failed build() has stopped what it had started; a failure after it has not.
    if (dbms != null) {
      try {
        dbms.shutdown();
      } catch (Throwable ignored) {
        // Halting below ends it all the same.
      }
    }
    if (!keep && home != null) deleteTree(home);
    Runtime.getRuntime().halt(1);
  }

  private static void onShutdown() {
    if (ending) return;
    ending = true;
    if (keep) {
      if (dbms != null) dbms.shutdown();
    } else if (home != null) {
      deleteTree(home);
    }
  }

  /**
   * Whether the cause chain says that the port is taken: Neo4j wraps the JDK's or Netty's
   * exception (EADDRINUSE) in its PortBindException, which says the same of any bind failure.
   */
  private static boolean isBindFailure(Throwable error) {
    Throwable t = error;
    for (int depth = 0; t != null && depth < 50; t = t.getCause(), depth++) {
      if (isAddressInUse(t)) return true;
    }
    return false;
  }

  private static boolean isAddressInUse(Throwable t) {
    String message = t.getMessage();
    return message != null && message.contains("Address already in use");
  }

  /**
   * The outermost message, with the innermost cause's if it adds something, on one line, without
   * a trailing period.
   */
  private static String oneLine(Throwable error) {
    Throwable innermost = error;
    for (int depth = 0; innermost.getCause() != null && depth < 50; depth++) {
      innermost = innermost.getCause();
    }
    String outer = messageOf(error);
    String inner = messageOf(innermost);
    String text = outer.contains(inner) ? outer : outer + ": " + inner;
    return text.replaceAll("\\s+", " ").trim().replaceAll("\\.+$", "");
  }

  private static String messageOf(Throwable t) {
    String message = t.getMessage();
    return message == null || message.isBlank() ? t.getClass().getName() : message;
  }

  private static Map<String, String> config(int major, int port, String pagecache) {
    String listen = HOST + ":" + port;
    Map<String, String> conf = new LinkedHashMap<>();
    if (major == 4) {
      conf.put("dbms.connector.bolt.enabled", "true");
      conf.put("dbms.connector.bolt.listen_address", listen);
      conf.put("dbms.connector.http.enabled", "false");
      conf.put("dbms.connector.https.enabled", "false");
      conf.put("dbms.security.auth_enabled", "true");
      conf.put("dbms.security.auth_max_failed_attempts", "0");
      conf.put("dbms.udc.enabled", "false");
      conf.put("dbms.memory.pagecache.size", pagecache);
      conf.put("dbms.tx_log.rotation.retention_policy", "1 files");
      // Otherwise each database's first transaction log takes 256 MiB on disk at once.
      conf.put("dbms.tx_log.preallocate", "false");
      return conf;
    }
    conf.put("server.bolt.enabled", "true");
    conf.put("server.bolt.listen_address", listen);
    conf.put("server.http.enabled", "false");
    conf.put("server.https.enabled", "false");
    conf.put("dbms.security.auth_enabled", "true");
    conf.put("dbms.security.auth_max_failed_attempts", "0");
    conf.put("dbms.usage_report.enabled", "false");
    conf.put("server.memory.pagecache.size", pagecache);
    conf.put("db.tx_log.rotation.retention_policy", "1 files");
    // Otherwise each database's first transaction log takes 256 MiB on disk at once.
    conf.put("db.tx_log.preallocate", "false");
    return conf;
  }

  private static String require(Map<String, String> opts, String key) {
    String value = opts.get(key);
    if (value == null) throw new IllegalArgumentException("missing " + key + "=...");
    return value;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }

  /** Whether Bolt could bind 127.0.0.1:port now (with SO_REUSEADDR, as Netty binds it). */
  private static boolean portIsFree(int port) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(HOST, port));
      return true;
    } catch (BindException error) {
      // Not "Permission denied", say: that is a failure of its own.
      if (isAddressInUse(error)) return false;
      throw error;
    }
  }

  private static void deleteTree(Path root) {
    // Twice: a file that a Neo4j thread created during the first pass goes in the second.
    for (int pass = 0; pass < 2 && Files.exists(root); pass++) {
      try (Stream<Path> paths = Files.walk(root)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException | java.io.UncheckedIOException ignored) {
        // Best effort: the parent removes what is left.
      }
    }
  }
}
