package dev.distillguard.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A real Kafka 4.2 broker, KRaft combined mode, one node, in its own JVM.
 *
 * <p>The broker runs from the Maven Central jars whose classpath the build recorded in
 * {@code kafka-broker.classpath}, on free loopback ports, with its data in a directory of its own, so two
 * runs never share a broker by accident. {@link #close()} stops the process it started and nothing else.
 */
public final class LocalKafkaBroker implements AutoCloseable {

  private static final List<String> CLASSPATH_RESOURCES =
      List.of("kafka-broker-provided.classpath", "kafka-broker-runtime.classpath");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final Path dataDir;
  private final boolean deleteOnClose;
  private final int port;
  private final Process process;

  private LocalKafkaBroker(Path dataDir, boolean deleteOnClose, int port, Process process) {
    this.dataDir = dataDir;
    this.deleteOnClose = deleteOnClose;
    this.port = port;
    this.process = process;
  }

  /** Starts a broker in a fresh temporary directory that is deleted on close. */
  public static LocalKafkaBroker start() {
    try {
      return start(Files.createTempDirectory("distill-guard-kafka-"), true, 0, "256m");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a broker with its data under {@code dataDir}.
   *
   * @param port the client port, or 0 for a free one
   * @param heap the broker JVM's maximum heap, such as {@code 256m}
   */
  public static LocalKafkaBroker start(Path dataDir, boolean deleteOnClose, int port, String heap) {
    try {
      Files.createDirectories(dataDir);
      int clientPort = port == 0 ? FreePorts.pick() : port;
      int controllerPort = FreePorts.pick();
      Path config = writeServerProperties(dataDir, clientPort, controllerPort);
      Path log4j = writeLog4jConfig(dataDir);
      String classpath = brokerClasspath();

      run(javaCommand(classpath, heap, log4j, "kafka.tools.StorageTool",
          "format", "-t", UUID.randomUUID().toString(), "-c", config.toString(), "--standalone"),
          dataDir.resolve("format.out"));

      ProcessBuilder builder = new ProcessBuilder(
          javaCommand(classpath, heap, log4j, "kafka.Kafka", config.toString()));
      builder.redirectErrorStream(true);
      builder.redirectOutput(dataDir.resolve("broker.out").toFile());
      Process process = builder.start();
      LocalKafkaBroker broker = new LocalKafkaBroker(dataDir, deleteOnClose, clientPort, process);
      Runtime.getRuntime().addShutdownHook(new Thread(broker::stopProcess, "stop-kafka-broker"));
      broker.awaitReady();
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Creates a topic unless it exists. */
  public void createTopic(String name, int partitions) {
    createTopic(name, partitions, Map.of());
  }

  public void createTopic(String name, int partitions, Map<String, String> config) {
    try (Admin admin = admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(config))).all().get();
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("could not create topic " + name, e.getCause());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    return Admin.create(props);
  }

  @Override
  public void close() {
    stopProcess();
    if (deleteOnClose) {
      deleteRecursively(dataDir);
    }
  }

  private void stopProcess() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private void awaitReady() {
    Instant deadline = Instant.now().plus(START_TIMEOUT);
    Exception last = null;
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Kafka broker exited with " + process.exitValue() + "; see "
            + dataDir.resolve("broker.out") + "\n" + tail(dataDir.resolve("broker.out")));
      }
      try (Admin admin = admin()) {
        if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
          return;
        }
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    stopProcess();
    throw new IllegalStateException("Kafka broker not ready after " + START_TIMEOUT + "; see "
        + dataDir.resolve("broker.out"), last);
  }

  private static Path writeServerProperties(Path dataDir, int clientPort, int controllerPort)
      throws IOException {
    Path logs = dataDir.resolve("data");
    String properties = String.join("\n",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + clientPort + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + clientPort,
        "controller.listener.names=CONTROLLER",
        "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "inter.broker.listener.name=PLAINTEXT",
        "log.dirs=" + logs,
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=1",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "transaction.state.log.num.partitions=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        "auto.create.topics.enable=false",
        "log.retention.hours=-1",
        "log.segment.bytes=268435456",
        "message.max.bytes=8388608",
        "replica.fetch.max.bytes=8388608",
        "");
    Path file = dataDir.resolve("server.properties");
    Files.writeString(file, properties, StandardCharsets.UTF_8);
    return file;
  }

  private static Path writeLog4jConfig(Path dataDir) throws IOException {
    String config = String.join("\n",
        "Configuration:",
        "  status: warn",
        "  Appenders:",
        "    File:",
        "      name: file",
        "      fileName: " + dataDir.resolve("broker.log"),
        "      PatternLayout:",
        "        pattern: \"%d{ISO8601} %-5p [%c{1}] %m%n\"",
        "  Loggers:",
        "    Root:",
        "      level: info",
        "      AppenderRef:",
        "        - ref: file",
        "");
    Path file = dataDir.resolve("log4j2.yaml");
    Files.writeString(file, config, StandardCharsets.UTF_8);
    return file;
  }

  /** The broker's classpath: Kafka server and tools jars, and their codecs, from the local Maven repository. */
  public static String brokerClasspath() {
    java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
    for (String resource : CLASSPATH_RESOURCES) {
      try (InputStream in = LocalKafkaBroker.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException(resource + " is missing: build the testkit module with Maven");
        }
        for (String entry : new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split(java.io.File.pathSeparator)) {
          if (!Files.exists(Path.of(entry))) {
            throw new IllegalStateException("Kafka broker jar " + entry + " is missing: rebuild the testkit module");
          }
          entries.add(entry);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return String.join(java.io.File.pathSeparator, entries);
  }

  private static List<String> javaCommand(String classpath, String heap, Path log4j, String mainClass,
      String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-XX:+UseG1GC");
    command.add("-Djava.awt.headless=true");
    command.add("-Dlog4j2.configurationFile=" + log4j);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  private static void run(List<String> command, Path output) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException("failed with " + p.exitValue() + ": " + String.join(" ", command)
            + "\n" + tail(output));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String tail(Path file) {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      List<String> lines = reader.lines().toList();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(no output: " + e.getMessage() + ")";
    }
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
