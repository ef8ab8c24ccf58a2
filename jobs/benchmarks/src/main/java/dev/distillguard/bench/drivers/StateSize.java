package dev.distillguard.bench.drivers;

import dev.distillguard.bench.load.GatewayLoad;
import dev.distillguard.bench.load.LoadWriter;
import dev.distillguard.detector.DetectorKafka;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.testkit.LocalKafkaBroker;
import dev.distillguard.workbench.LocalDetectorRun;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.shaded.guava33.com.google.common.hash.Hashing;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;

/**
 * State per active key: {@code --accounts} accounts each make about {@code --calls-per-account} calls within
 * one window's worth of event time, so every account, its subnet and its template bands hold live panes
 * when the job has read them all. The live job then takes a savepoint; its size per operator (read from
 * the savepoint's metadata) and, for RocksDB, the size of the local database are the figures, divided by
 * the active accounts for the per-key cost.
 */
public final class StateSize {

  /** The stateful operators, by uid, in the order they are reported. */
  private static final List<String> OPERATORS = List.of("duplicate-filter", "account-features", "subnet-features",
      "template-features", "account-scorer", "subnet-scorer", "template-scorer", "account-sustained-extraction",
      "subnet-sustained-extraction", "template-coordinated-campaign", "template-replacement", "decision-ledger",
      "policy-gate", "gateway-calls-source", "detection-policies-source");

  private StateSize() {}

  public static void main(String[] argv) throws Exception {
    BenchArgs args = new BenchArgs(argv, "bin/bench state [--accounts N] [--calls-per-account N] "
        + "[--state heap|rocksdb] [--partitions N] [--parallelism N]");
    int accounts = args.intValue("accounts", 100_000);
    int callsPerAccount = args.intValue("calls-per-account", 4);
    BenchEnvironment.StateBackend backend = BenchEnvironment.stateBackend(args);
    int partitions = args.intValue("partitions", 4);
    int parallelism = args.intValue("parallelism", 2);
    args.requireAllKnown();
    long records = (long) accounts * callsPerAccount;
    // Nine minutes of event time: inside one ten-minute window, so nothing has expired when it is measured.
    GatewayLoad load = new GatewayLoad(records, accounts, records / 540.0, 0, 0.02, 7,
        Instant.parse("2026-03-02T00:00:00Z"));

    try (LocalKafkaBroker broker = BenchEnvironment.startBroker()) {
      String topic = load.topicName();
      LoadWriter.writeAll(broker, topic, partitions, load, System.out);
      String prefix = topic + ".state";
      DetectorConfig config = LocalDetectorRun.config(broker, "--input.topic", topic,
          "--throttle.topic", prefix + ".throttle", "--dead-letter.topic", prefix + ".dead-letters",
          "--transactional-id.prefix", prefix, "--group.id", prefix);
      broker.createTopic(config.kafka().throttleTopic(), 1);
      broker.createTopic(config.kafka().deadLetterTopic(), 1);
      LocalDetectorRun.createPolicyTopics(broker, config);
      Path work = BenchEnvironment.tempDir("distill-guard-bench-state-");
      try {
        long heapBefore = usedHeapAfterGc();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism,
            BenchEnvironment.flink(DistillGuardJob.jobConfiguration(config), backend, work.resolve("checkpoints"),
                work.resolve("rocksdb")));
        DistillGuardJob.define(env, config, DetectorKafka.gatewaySource(config),
            DetectorKafka.policySource(config), config.kafka().throttleTopic(), config.kafka().transactionalIdPrefix());
        JobClient job = env.executeAsync("distill-guard state size");
        try {
          awaitConsumed(broker, topic, config.kafka().groupId(), records);
          long heapAfter = usedHeapAfterGc();
          String savepoint = job.triggerSavepoint(work.resolve("savepoints").toUri().toString(),
              SavepointFormatType.CANONICAL).get(10, TimeUnit.MINUTES);
          Map<String, Long> byOperator = sizesByOperator(Path.of(java.net.URI.create(savepoint)));
          long total = byOperator.values().stream().mapToLong(Long::longValue).sum();
          System.out.printf(Locale.ROOT, "savepoint %s, by operator (uid: bytes):%n", savepoint);
          byOperator.forEach((uid, bytes) -> System.out.printf(Locale.ROOT, "  %-32s %,15d%n", uid, bytes));
          String backendName = backend.name().toLowerCase(Locale.ROOT);
          System.out.printf(Locale.ROOT, "RESULT state %s, %,d active accounts (%,d calls in 9 min of event time): "
                  + "savepoint %s = %,.0f bytes per active account (account features %,.0f, subnet %,.0f, "
                  + "template %,.0f, duplicate filter %,.0f)%n", backendName, accounts, records,
              BenchEnvironment.mib(total), (double) total / accounts,
              (double) byOperator.getOrDefault("account-features", 0L) / accounts,
              (double) byOperator.getOrDefault("subnet-features", 0L) / accounts,
              (double) byOperator.getOrDefault("template-features", 0L) / accounts,
              (double) byOperator.getOrDefault("duplicate-filter", 0L) / accounts);
          // JobManager, TaskManager, RocksDB's native memory and this driver share the process: what it
          // needed at most bounds what one TaskManager holding this state needs.
          System.out.printf(Locale.ROOT, "RESULT state %s, %,d active accounts: peak resident memory of the whole "
              + "local cluster process %s (max heap %s)%n", backendName, accounts, peakResidentMemory(),
              BenchEnvironment.mib(Runtime.getRuntime().maxMemory()));
          if (backend == BenchEnvironment.StateBackend.ROCKSDB) {
            long local = BenchEnvironment.sizeOf(work.resolve("rocksdb"));
            System.out.printf(Locale.ROOT, "RESULT state rocksdb, %,d active accounts: local RocksDB files %s "
                + "= %,.0f bytes per active account%n", accounts, BenchEnvironment.mib(local), (double) local / accounts);
          } else {
            System.out.printf(Locale.ROOT, "RESULT state heap, %,d active accounts: heap in use after GC grew by %s "
                    + "while the job held them = %,.0f bytes per active account (objects, not serialized)%n", accounts,
                BenchEnvironment.mib(heapAfter - heapBefore), (double) (heapAfter - heapBefore) / accounts);
          }
        } finally {
          job.cancel().get();
        }
      } finally {
        BenchEnvironment.deleteRecursively(work);
      }
    }
  }

  /** Waits until the job's checkpoints have committed offsets covering every call. */
  private static void awaitConsumed(LocalKafkaBroker broker, String topic, String groupId, long records)
      throws Exception {
    long started = System.nanoTime();
    try (Admin admin = broker.admin()) {
      long end = CommittedProgress.endOffsets(admin, topic);
      long committed = 0;
      while (committed < end) {
        Thread.sleep(1000); // polling the broker's committed offsets; nothing to wait on in-process
        committed = CommittedProgress.committedOffsets(admin, groupId);
      }
      System.out.printf(Locale.ROOT, "the job has read and checkpointed all %,d calls after %.0f s%n", records,
          Duration.ofNanos(System.nanoTime() - started).toMillis() / 1000.0);
    }
  }

  /** State bytes per operator uid, as the savepoint's metadata records them. */
  private static Map<String, Long> sizesByOperator(Path savepoint) throws Exception {
    CheckpointMetadata metadata;
    try (InputStream in = Files.newInputStream(savepoint.resolve("_metadata"))) {
      metadata = Checkpoints.loadCheckpointMetadata(new DataInputStream(in), StateSize.class.getClassLoader(),
          savepoint.toString());
    }
    Map<OperatorID, Long> sizes = new LinkedHashMap<>();
    for (OperatorState state : metadata.getOperatorStates()) {
      sizes.put(state.getOperatorID(), state.getStateSize());
    }
    Map<String, Long> byUid = new LinkedHashMap<>();
    for (String uid : OPERATORS) {
      Long size = sizes.remove(operatorId(uid));
      if (size != null && size > 0) {
        byUid.put(uid, size);
      }
    }
    long other = sizes.values().stream().mapToLong(Long::longValue).sum();
    if (other > 0) {
      byUid.put("(other operators)", other);
    }
    return byUid;
  }

  /** The id Flink derives from an operator's uid (StreamGraphHasherV2: murmur3-128 of the uid). */
  static OperatorID operatorId(String uid) {
    return new OperatorID(Hashing.murmur3_128(0).newHasher().putString(uid, StandardCharsets.UTF_8).hash().asBytes());
  }

  /** VmHWM of this process, as Linux reports it. */
  private static String peakResidentMemory() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        long kib = Long.parseLong(line.substring("VmHWM:".length()).replace("kB", "").trim());
        return BenchEnvironment.mib(kib * 1024);
      }
    }
    return "unknown (no VmHWM in /proc/self/status)";
  }

  private static long usedHeapAfterGc() {
    Runtime runtime = Runtime.getRuntime();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return runtime.totalMemory() - runtime.freeMemory();
  }
}
