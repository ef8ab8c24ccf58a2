package dev.distillguard.cluster;

import dev.distillguard.testkit.FreePorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bin/cluster}, run as an operator would, on one run directory and free ports of its own, so the
 * test exercises the scripts themselves and never meets another run's broker or cluster.
 */
final class ClusterScript {

  private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
  private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");

  private final Path root;
  private final Path home;
  private final int kafkaPort;
  private final int restPort;
  private final Map<String, String> environment;

  ClusterScript(Path root, Path home) {
    this.root = root;
    this.home = home;
    this.kafkaPort = FreePorts.pick();
    this.restPort = FreePorts.pick();
    this.environment = Map.of(
        "DG_CLUSTER_HOME", home.toString(),
        "DG_KAFKA_PORT", Integer.toString(kafkaPort),
        "DG_KAFKA_CONTROLLER_PORT", Integer.toString(FreePorts.pick()),
        "DG_REST_PORT", Integer.toString(restPort),
        "DG_RPC_PORT", Integer.toString(FreePorts.pick()),
        "DG_SKIP_BUILD", "1");
  }

  String bootstrapServers() {
    return "127.0.0.1:" + kafkaPort;
  }

  String restUrl() {
    return "http://localhost:" + restPort;
  }

  Path home() {
    return home;
  }

  String run(String... args) {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("bin/cluster").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
    builder.environment().putAll(environment);
    try {
      // Outside the run directory: "down --clean" deletes that.
      Path output = Files.createTempFile("bin-cluster-", ".out");
      builder.redirectOutput(output.toFile());
      Process process = builder.start();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("bin/cluster " + String.join(" ", args) + " did not finish in 5 minutes");
      }
      String text = Files.readString(output, StandardCharsets.UTF_8);
      Files.delete(output);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("bin/cluster " + String.join(" ", args) + " exited with "
            + process.exitValue() + ":\n" + text);
      }
      return text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Submits with the Flink CLI ({@code flink run -d}); returns the job id the CLI printed. */
  String submit(String... args) {
    List<String> command = new ArrayList<>(List.of("submit"));
    command.addAll(List.of(args));
    String output = run(command.toArray(String[]::new));
    Matcher m = JOB_ID.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no job id in the CLI's output:\n" + output);
    }
    return m.group(1);
  }

  /** Stops the job with a savepoint ({@code flink stop --savepointPath}); returns the savepoint's path. */
  String stopWithSavepoint(String jobId) {
    String output = run("stop-job", jobId);
    Matcher m = SAVEPOINT.matcher(output);
    if (!m.find()) {
      throw new IllegalStateException("no savepoint path in the CLI's output:\n" + output);
    }
    return m.group(1);
  }

  /** The pid bin/cluster recorded for one of its processes, such as {@code taskmanager-1}. */
  long pid(String process) {
    try {
      return Long.parseLong(Files.readString(home.resolve("pids").resolve(process + ".pid")).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The TaskManagers bin/cluster started that still run, by name, such as {@code taskmanager-2}. */
  List<String> runningTaskManagers() {
    List<String> names = new ArrayList<>();
    try (var files = Files.list(home.resolve("pids"))) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.startsWith("taskmanager-") && name.endsWith(".pid") && running(pid(name.replace(".pid", "")))) {
          names.add(name.replace(".pid", ""));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return names;
  }

  /** Whether a process runs: it exists and has not ended (a zombie waiting for its parent has). */
  static boolean running(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }
}
