package dev.distillguard.bench.drivers;

import dev.distillguard.bench.load.GatewayLoad;
import dev.distillguard.testkit.LocalKafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.changelog.fs.FsStateChangelogOptions;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateChangelogOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.util.function.ThrowingRunnable;

/** What every driver shares: the broker, the load's options, and local Flink set up like the cluster's. */
final class BenchEnvironment {

  /** The cluster's state backends (flink-conf/config.yaml uses RocksDB), by the name a driver is given. */
  enum StateBackend { HEAP, ROCKSDB }

  /**
   * A state backend, and whether it writes its changes to Flink's state changelog (FLIP-158) as well: a
   * checkpoint then uploads the changes since the last one, and the full state is written in the background
   * every {@link #CHANGELOG_MATERIALIZATION}, instead of a heap snapshot of the whole window at every
   * checkpoint.
   */
  record State(StateBackend backend, boolean changelog) {
    String describe() {
      return backend.name().toLowerCase(Locale.ROOT) + " state" + (changelog ? " with the changelog" : "");
    }
  }

  /**
   * How often a changelog backend writes its full state, which bounds the log: at 10,000 calls/s in real
   * time the log grows by about 45 MiB/s (docs/performance.md, "The commit" under "Changes measured").
   */
  static final Duration CHANGELOG_MATERIALIZATION = Duration.ofMinutes(2);

  /** The cluster's configuration directory: bin/bench runs the drivers from the repository's root. */
  static final Path CLUSTER_CONFIG_DIR = Path.of("flink-conf");

  static final String LOAD_USAGE = "[--records N] [--accounts N] [--rate CALLS_PER_EVENT_SECOND] "
      + "[--hot-subnet-share X] [--campaign-share X] [--seed N] [--partitions N] [--parallelism N]";

  private BenchEnvironment() {}

  /** A broker of its own in a temporary directory, deleted when the driver ends. */
  static LocalKafkaBroker startBroker() {
    try {
      return LocalKafkaBroker.start(Files.createTempDirectory("distill-guard-bench-kafka-"), true, 0, "1g");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static GatewayLoad load(BenchArgs args, long records, int accounts, double rate, Instant start) {
    return new GatewayLoad(args.longValue("records", records), args.intValue("accounts", accounts),
        args.doubleValue("rate", rate), args.doubleValue("hot-subnet-share", 0.0),
        args.doubleValue("campaign-share", 0.02), args.longValue("seed", 7), start);
  }

  static StateBackend stateBackend(BenchArgs args) {
    String name = args.string("state", "heap");
    try {
      return StateBackend.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--state must be heap or rocksdb, was " + name);
    }
  }

  /**
   * Local Flink set up as the cluster is: the chosen state backend (RocksDB incremental with the
   * cluster's RocksDB options, as in flink-conf/config.yaml), checkpoints in {@code checkpoints}, and
   * managed memory for RocksDB's caches and batch sorting, which the local environment's default (128 MiB)
   * starves, and network buffers.
   */
  static Configuration flink(Configuration jobConf, StateBackend backend, Path checkpoints, Path rocksdbDir) {
    return flink(jobConf, new State(backend, false), checkpoints, rocksdbDir);
  }

  /** As above; a changelog's files go to {@code changelog} beside {@code checkpoints}. */
  static Configuration flink(Configuration jobConf, State state, Path checkpoints, Path rocksdbDir) {
    StateBackend backend = state.backend();
    Configuration conf = new Configuration(jobConf);
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    conf.set(TaskManagerOptions.MANAGED_MEMORY_SIZE, MemorySize.parse("768m"));
    // The local default (64 MiB) is short of what eight keyed exchanges at parallelism 2 ask for.
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MIN, MemorySize.parse("256m"));
    conf.set(TaskManagerOptions.NETWORK_MEMORY_MAX, MemorySize.parse("256m"));
    if (backend == StateBackend.ROCKSDB) {
      conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
      conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
      Map<String, String> tuning = clusterRocksDbOptions(CLUSTER_CONFIG_DIR);
      System.out.println("RocksDB options of the cluster (" + CLUSTER_CONFIG_DIR + "): " + tuning);
      tuning.forEach(conf::setString);
      conf.setString("state.backend.rocksdb.localdir", rocksdbDir.toString());
    } else {
      conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
    }
    if (state.changelog()) {
      conf.set(StateChangelogOptions.ENABLE_STATE_CHANGE_LOG, true);
      conf.set(StateChangelogOptions.STATE_CHANGE_LOG_STORAGE, "filesystem");
      conf.set(StateChangelogOptions.PERIODIC_MATERIALIZATION_INTERVAL, CHANGELOG_MATERIALIZATION);
      conf.set(FsStateChangelogOptions.BASE_PATH, checkpoints.resolveSibling("changelog").toUri().toString());
    }
    return conf;
  }

  /**
   * The cluster's RocksDB tuning, {@code state.backend.rocksdb.*} of the config.yaml in {@code configDir}
   * but its local directory (a run's is its own), so a RocksDB run measures what the cluster would run.
   */
  static Map<String, String> clusterRocksDbOptions(Path configDir) {
    Path config = configDir.resolve(GlobalConfiguration.FLINK_CONF_FILENAME);
    if (!Files.isRegularFile(config)) {
      throw new IllegalStateException("no " + config.toAbsolutePath() + ": run the benchmarks with bin/bench, "
          + "from the repository, whose flink-conf/ holds the cluster's RocksDB options");
    }
    Map<String, String> options = new TreeMap<>();
    GlobalConfiguration.loadConfiguration(configDir.toString()).toMap().forEach((key, value) -> {
      if (key.startsWith("state.backend.rocksdb.") && !key.equals("state.backend.rocksdb.localdir")) {
        options.put(key, value);
      }
    });
    return options;
  }

  /** {@code --state heap|rocksdb} and {@code --changelog true|false} (false unless given). */
  static State state(BenchArgs args) {
    StateBackend backend = stateBackend(args);
    String changelog = args.string("changelog", "false");
    if (!changelog.equals("true") && !changelog.equals("false")) {
      throw new IllegalArgumentException("--changelog must be true or false, was " + changelog);
    }
    return new State(backend, Boolean.parseBoolean(changelog));
  }

  /**
   * Runs a driver's body, then ends the JVM whatever threads are still alive, with status 1 if the body
   * failed. With the state changelog, Flink's local environment leaves a non-daemon thread behind once a
   * materialization has let it discard old log files (the discarding executor of the changelog storage's
   * {@code TaskChangelogRegistry}, created without a thread factory), which kept a finished run's JVM alive.
   */
  static void exitWhenDone(ThrowingRunnable<Exception> body) {
    int status = 0;
    try {
      body.run();
    } catch (Throwable t) {
      t.printStackTrace();
      status = 1;
    }
    System.out.flush();
    System.err.flush();
    System.exit(status);
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long sizeOf(Path dir) {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(p -> {
        try {
          return Files.size(p);
        } catch (IOException e) {
          return 0; // deleted while walking: RocksDB compacts, Flink discards old checkpoints
        }
      }).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      dir.toFile().deleteOnExit();
    }
  }

  static String mib(long bytes) {
    return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
  }
}
