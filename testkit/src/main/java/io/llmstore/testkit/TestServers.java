package io.llmstore.testkit;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Hands tests real servers: PostgreSQL, TimescaleDB, Redis and Kafka, and the cluster lane: a Redis
 * Cluster ({@code LLMSTORE_TEST_REDIS_CLUSTER_URL}), a 3-node Kafka cluster ({@code LLMSTORE_TEST_KAFKA_CLUSTER_BOOTSTRAP})
 * and a streaming replica of PostgreSQL
 * ({@code LLMSTORE_TEST_POSTGRES_REPLICA_URL}), which come from the environment or {@code scripts/test-servers} only.
 *
 * <p>Each server is resolved once per JVM, on first use, from the first source that works:
 * <ol>
 *   <li>an environment variable: {@code LLMSTORE_TEST_POSTGRES_URL}, {@code LLMSTORE_TEST_TIMESCALE_URL}
 *       ({@code postgresql://user:password@host:port/database}), {@code LLMSTORE_TEST_REDIS_URL}
 *       ({@code redis://host:port}), {@code LLMSTORE_TEST_KAFKA_BOOTSTRAP} ({@code host:port});
 *   <li>Testcontainers, when a Docker engine answers;
 *   <li>the repository's {@code scripts/test-servers start NAME}; a server this JVM started is
 *       stopped when the JVM exits.
 * </ol>
 * A test is never skipped: when no source works, the call throws an {@link IllegalStateException}
 * that says how to provide the server.
 *
 * <p>{@link #stop(String)} and {@link #start(String)} let fault tests take a server away and bring
 * it back; they work only for servers run by {@code scripts/test-servers}.
 *
 * <p>Thread-safe. This class holds per-JVM state on purpose: servers are shared by all tests of a run.
 */
public final class TestServers {

  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(10); // first run installs packages
  private static final Duration PORT_TIMEOUT = Duration.ofSeconds(60);

  private enum Kind {
    POSTGRES("postgres", "PostgreSQL", "LLMSTORE_TEST_POSTGRES_URL", "postgresql://user:password@host:port/database"),
    TIMESCALE("timescale", "TimescaleDB", "LLMSTORE_TEST_TIMESCALE_URL",
        "postgresql://user:password@host:port/database"),
    REDIS("redis", "Redis", "LLMSTORE_TEST_REDIS_URL", "redis://host:port"),
    KAFKA("kafka", "Kafka", "LLMSTORE_TEST_KAFKA_BOOTSTRAP", "host:port"),
    // The cluster lane: run by scripts/test-servers (scripts/test starts it), never by Testcontainers.
    REDIS_CLUSTER("redis-cluster", "Redis Cluster", "LLMSTORE_TEST_REDIS_CLUSTER_URL", "redis://host:port,host:port,..."),
    KAFKA_CLUSTER("kafka-cluster", "Kafka cluster", "LLMSTORE_TEST_KAFKA_CLUSTER_BOOTSTRAP", "host:port,host:port,host:port"),
    REPLICA("replica", "PostgreSQL streaming replica", "LLMSTORE_TEST_POSTGRES_REPLICA_URL",
        "postgresql://user:password@host:port/database (a hot standby of LLMSTORE_TEST_POSTGRES_URL)");

    final String scriptName;
    final String display;
    final String envVar;
    final String format;

    Kind(String scriptName, String display, String envVar, String format) {
      this.scriptName = scriptName;
      this.display = display;
      this.envVar = envVar;
      this.format = format;
    }

    static Kind of(String name) {
      for (Kind k : values()) {
        if (k.scriptName.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown server '" + name
          + "': postgres, timescale, redis, kafka, redis-cluster, kafka-cluster or replica");
    }
  }

  private enum Source { ENV, CONTAINER, LOCAL_SCRIPTS }

  private record Resolved(Object server, Source source, String host, int port) {}

  // Guarded by TestServers.class.
  private static final Map<Kind, Resolved> resolved = new EnumMap<>(Kind.class);
  private static final Set<Kind> startedByThisJvm = EnumSet.noneOf(Kind.class);
  private static final Set<Kind> stoppedByThisJvm = EnumSet.noneOf(Kind.class);
  private static final List<GenericContainer<?>> containers = new ArrayList<>();
  private static Boolean dockerAvailable;
  private static boolean hookRegistered;

  private TestServers() {}

  /** Real PostgreSQL: many connections, {@code COPY} works. */
  public static PostgresServer postgres() {
    return (PostgresServer) resolve(Kind.POSTGRES).server();
  }

  /**
   * TimescaleDB with pgvector: PostgreSQL with {@code timescaledb} preloaded and both extensions
   * created in its database, so policies run on TimescaleDB's own scheduler.
   */
  public static PostgresServer timescale() {
    return (PostgresServer) resolve(Kind.TIMESCALE).server();
  }

  /** Redis. */
  public static RedisServer redis() {
    return (RedisServer) resolve(Kind.REDIS).server();
  }

  /** Kafka, with topic auto-creation off locally: create topics first. */
  public static KafkaServer kafka() {
    return (KafkaServer) resolve(Kind.KAFKA).server();
  }

  /**
   * A Redis Cluster of 3 masters and 3 replicas (the cluster lane). There is no Testcontainers
   * source for it: set {@code LLMSTORE_TEST_REDIS_CLUSTER_URL} or let {@code scripts/test-servers
   * start redis-cluster} run it; without either the call throws, so a cluster test fails, never skips.
   */
  public static RedisClusterServer redisCluster() {
    return (RedisClusterServer) resolve(Kind.REDIS_CLUSTER).server();
  }

  /**
   * A Kafka cluster of 3 KRaft nodes (each broker and controller; the cluster lane's {@code kafka-cluster}), with
   * replication factor 3 and {@code min.insync.replicas=2} by default and topic auto-creation off. Like
   * {@link #redisCluster()}, from the environment or {@code scripts/test-servers} only.
   */
  public static KafkaServer kafkaCluster() {
    return (KafkaServer) resolve(Kind.KAFKA_CLUSTER).server();
  }

  /**
   * A hot standby streaming from {@link #postgres()} (the cluster lane's {@code replica}): read-only,
   * it replays the primary's WAL, so a row committed on the primary appears here after the replay lag.
   * Resolves {@link #postgres()} first, the server it follows.
   */
  public static PostgresServer postgresReplica() {
    postgres();
    return (PostgresServer) resolve(Kind.REPLICA).server();
  }

  /**
   * Whether {@link #stop(String)} and {@link #start(String)} work for this server, that is,
   * whether it runs from {@code scripts/test-servers}. Resolves the server first.
   *
   * @param name {@code postgres}, {@code timescale}, {@code redis} or {@code kafka}
   */
  public static boolean canRestart(String name) {
    return resolve(Kind.of(name)).source() == Source.LOCAL_SCRIPTS;
  }

  /**
   * Stops a server (for fault tests) and returns once its port refuses connections.
   * Call {@link #start(String)} afterwards, in a {@code finally}; a server this JVM stopped and
   * did not start again is started when the JVM exits.
   *
   * @param name {@code postgres}, {@code timescale}, {@code redis} or {@code kafka}
   * @throws IllegalStateException when the server does not come from {@code scripts/test-servers}
   */
  public static synchronized void stop(String name) {
    Kind kind = Kind.of(name);
    Resolved r = requireRestartable(kind);
    runScript(findRoot(), "stop", kind);
    stoppedByThisJvm.add(kind);
    registerShutdownHook();
    awaitPort(kind, r, false);
  }

  /**
   * Starts a server stopped by {@link #stop(String)} (a running one is left alone) and returns once
   * it answers. It comes back on the same address, with its data.
   *
   * @param name {@code postgres}, {@code timescale}, {@code redis} or {@code kafka}
   * @throws IllegalStateException when the server does not come from {@code scripts/test-servers}
   */
  public static synchronized void start(String name) {
    Kind kind = Kind.of(name);
    Resolved r = requireRestartable(kind);
    runScript(findRoot(), "start", kind);
    stoppedByThisJvm.remove(kind);
    awaitPort(kind, r, true);
  }

  // ------------------------------------------------------------------ resolution

  private static synchronized Resolved resolve(Kind kind) {
    Resolved r = resolved.get(kind);
    if (r == null) {
      r = resolveNow(kind);
      resolved.put(kind, r);
    }
    return r;
  }

  private static Resolved resolveNow(Kind kind) {
    String fromEnv = System.getenv(kind.envVar);
    if (fromEnv != null && !fromEnv.isBlank()) {
      // scripts/test sources .test-servers/env: such a server is the scripts', so it can restart.
      Path root = findRootOrNull();
      boolean fromScripts = root != null && fromEnv.equals(readEnvFile(root).get(kind.envVar));
      return parse(kind, fromEnv, fromScripts ? Source.LOCAL_SCRIPTS : Source.ENV);
    }
    List<String> tried = new ArrayList<>();
    tried.add(kind.envVar + " is not set");
    if (kind != Kind.REDIS_CLUSTER && kind != Kind.REPLICA && kind != Kind.KAFKA_CLUSTER && isDockerAvailable()) {
      try {
        return startContainer(kind);
      } catch (RuntimeException e) {
        throw new IllegalStateException(help(kind, List.of(kind.envVar + " is not set",
            "Testcontainers failed: " + e.getMessage())), e);
      }
    }
    tried.add("no Docker engine for Testcontainers");
    Path root = findRootOrNull();
    if (root == null) {
      tried.add("no scripts/test-servers in " + Path.of("").toAbsolutePath() + " or its parents");
      throw new IllegalStateException(help(kind, tried));
    }
    try {
      boolean wasRunning = runScriptStatus(root, kind);
      runScript(root, "start", kind);
      String value = readEnvFile(root).get(kind.envVar);
      if (value == null) {
        throw new IllegalStateException("scripts/test-servers start " + kind.scriptName + " wrote no "
            + kind.envVar + " to .test-servers/env");
      }
      if (!wasRunning) {
        startedByThisJvm.add(kind);
        registerShutdownHook();
      }
      return parse(kind, value, Source.LOCAL_SCRIPTS);
    } catch (RuntimeException e) {
      tried.add("scripts/test-servers start " + kind.scriptName + " failed: " + e.getMessage());
      throw new IllegalStateException(help(kind, tried), e);
    }
  }

  private static String help(Kind kind, List<String> tried) {
    return "No " + kind.display + " server for the tests. Provide one of:\n"
        + "  - export " + kind.envVar + "=" + kind.format + "\n"
        + "  - a Docker engine (Testcontainers)\n"
        + "  - scripts/test-servers start " + kind.scriptName + " (from the repository root), then"
        + " `source .test-servers/env`; scripts/test does both for the whole build\n"
        + "Tried: " + String.join("; ", tried);
  }

  private static Resolved parse(Kind kind, String value, Source source) {
    try {
      switch (kind) {
        case POSTGRES:
        case TIMESCALE:
        case REPLICA: {
          URI uri = URI.create(value.trim());
          if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
            throw new IllegalArgumentException("scheme must be postgresql");
          }
          String userInfo = uri.getRawUserInfo() == null ? "postgres:" : uri.getRawUserInfo();
          int colon = userInfo.indexOf(':');
          String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
          String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
          String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
          String database = path.isEmpty() ? "postgres" : path;
          int port = uri.getPort() < 0 ? 5432 : uri.getPort();
          PostgresServer s = new PostgresServer(kind.scriptName, uri.getHost(), port, database, user, password,
              kind == Kind.TIMESCALE, 100, kind != Kind.REPLICA);
          return new Resolved(s, source, s.host(), s.port());
        }
        case REDIS_CLUSTER: {
          String v = value.trim();
          if (!v.startsWith("redis://")) {
            throw new IllegalArgumentException("scheme must be redis");
          }
          RedisClusterServer s = new RedisClusterServer(List.of(v.substring("redis://".length()).split(",")));
          String first = s.nodes().get(0);
          return new Resolved(s, source, first.substring(0, first.lastIndexOf(':')),
              Integer.parseInt(first.substring(first.lastIndexOf(':') + 1)));
        }
        case REDIS: {
          URI uri = URI.create(value.trim());
          if (!"redis".equals(uri.getScheme())) {
            throw new IllegalArgumentException("scheme must be redis");
          }
          RedisServer s = new RedisServer(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort());
          return new Resolved(s, source, s.host(), s.port());
        }
        case KAFKA:
        case KAFKA_CLUSTER: {
          String first = value.trim().split(",")[0];
          int colon = first.lastIndexOf(':');
          return new Resolved(new KafkaServer(value.trim()), source, first.substring(0, colon),
              Integer.parseInt(first.substring(colon + 1)));
        }
        default:
          throw new AssertionError(kind);
      }
    } catch (RuntimeException e) {
      throw new IllegalStateException(kind.envVar + " must look like " + kind.format + ", was '"
          + value.replaceAll(":[^:@/]*@", ":****@") + "': " + e.getMessage(), e);
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ Testcontainers

  private static boolean isDockerAvailable() {
    if (dockerAvailable == null) {
      dockerAvailable = DockerClientFactory.instance().isDockerAvailable(); // never throws; ~300 ms once
    }
    return dockerAvailable;
  }

  private static Resolved startContainer(Kind kind) {
    switch (kind) {
      case POSTGRES:
      case TIMESCALE: {
        // The -ha image is Timescale's official one that ships pgvector too (the plain image does not).
        DockerImageName image = kind == Kind.POSTGRES
            ? DockerImageName.parse("postgres:15")
            : DockerImageName.parse("timescale/timescaledb-ha:pg15").asCompatibleSubstituteFor("postgres");
        PostgreSQLContainer c = new PostgreSQLContainer(image);
        c.start();
        containers.add(c);
        PostgresServer s = new PostgresServer(kind.scriptName, c.getHost(), c.getMappedPort(5432),
            c.getDatabaseName(), c.getUsername(), c.getPassword(), kind == Kind.TIMESCALE, 100, true);
        return new Resolved(s, Source.CONTAINER, s.host(), s.port());
      }
      case REDIS: {
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse("redis:7")).withExposedPorts(6379);
        c.start();
        containers.add(c);
        RedisServer s = new RedisServer(c.getHost(), c.getMappedPort(6379));
        return new Resolved(s, Source.CONTAINER, s.host(), s.port());
      }
      case KAFKA: {
        KafkaContainer c = new KafkaContainer(DockerImageName.parse("apache/kafka:4.1.0"))
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false"); // as the local broker
        c.start();
        containers.add(c);
        return parse(kind, c.getBootstrapServers(), Source.CONTAINER);
      }
      default:
        throw new AssertionError(kind);
    }
  }

  // ------------------------------------------------------------------ scripts/test-servers

  private static Resolved requireRestartable(Kind kind) {
    Resolved r = resolve(kind);
    if (r.source() != Source.LOCAL_SCRIPTS) {
      throw new IllegalStateException("TestServers.stop/start(\"" + kind.scriptName + "\") works only for servers run"
          + " by scripts/test-servers, but this one came from "
          + (r.source() == Source.ENV ? kind.envVar + " (not the value in .test-servers/env)" : "Testcontainers")
          + "; unset " + kind.envVar + " and run without Docker, or run the tests through scripts/test");
    }
    return r;
  }

  private static Path findRootOrNull() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isExecutable(dir.resolve("scripts/test-servers"))) {
        return dir;
      }
    }
    return null;
  }

  private static Path findRoot() {
    Path root = findRootOrNull();
    if (root == null) {
      throw new IllegalStateException("no scripts/test-servers in " + Path.of("").toAbsolutePath() + " or its parents");
    }
    return root;
  }

  /** The exports of .test-servers/env, quotes removed; empty when there is no such file. */
  private static Map<String, String> readEnvFile(Path root) {
    Path file = root.resolve(".test-servers/env");
    Map<String, String> values = new HashMap<>();
    if (!Files.isRegularFile(file)) {
      return values;
    }
    try {
      for (String line : Files.readAllLines(file)) {
        line = line.strip();
        if (!line.startsWith("export ") || line.indexOf('=') < 0) {
          continue;
        }
        String key = line.substring("export ".length(), line.indexOf('=')).strip();
        String value = line.substring(line.indexOf('=') + 1).strip();
        if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
          value = value.substring(1, value.length() - 1);
        }
        values.put(key, value);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return values;
  }

  /** Whether the server runs now ({@code status} exits 0 when it does, 3 when not). */
  private static boolean runScriptStatus(Path root, Kind kind) {
    return run(root, List.of("status", kind.scriptName)).exitCode == 0;
  }

  private static void runScript(Path root, String command, Kind kind) {
    Result result = run(root, List.of(command, kind.scriptName));
    // Surefire owns the forked JVM's stdout, so the script's output goes to stderr.
    System.err.print(result.output);
    if (result.exitCode != 0) {
      throw new IllegalStateException("scripts/test-servers " + command + " " + kind.scriptName + " exited with "
          + result.exitCode + ":\n" + result.output);
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(Path root, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(root.resolve("scripts/test-servers").toString());
    cmd.addAll(args);
    try {
      Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
      byte[] out;
      try (InputStream in = p.getInputStream()) {
        out = in.readAllBytes(); // the servers get /dev/null and log files, so EOF comes when the script ends
      }
      if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish within " + SCRIPT_TIMEOUT);
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + String.join(" ", cmd), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + String.join(" ", cmd), e);
    }
  }

  private static void awaitPort(Kind kind, Resolved r, boolean open) {
    long deadline = System.nanoTime() + PORT_TIMEOUT.toNanos();
    while (isOpen(r.host(), r.port()) != open) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(kind.scriptName + " at " + r.host() + ":" + r.port() + " still "
            + (open ? "refuses" : "accepts") + " connections after " + PORT_TIMEOUT);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + kind.scriptName, e);
      }
    }
  }

  private static boolean isOpen(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * At exit: stops what this JVM started, and starts again what it stopped but found running,
   * so a fault test that failed half-way does not take the server from the next module's tests.
   */
  private static void registerShutdownHook() {
    if (hookRegistered) {
      return;
    }
    hookRegistered = true;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      synchronized (TestServers.class) {
        Path root = findRootOrNull();
        if (root == null) {
          return;
        }
        for (Kind kind : Kind.values()) {
          String command = startedByThisJvm.contains(kind) ? "stop"
              : stoppedByThisJvm.contains(kind) ? "start" : null;
          if (command != null) {
            run(root, List.of(command, kind.scriptName));
          }
        }
      }
    }, "llmstore-test-servers-stop"));
  }
}
