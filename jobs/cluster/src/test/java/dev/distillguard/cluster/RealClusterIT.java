package dev.distillguard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.distillguard.contract.EntityType;
import dev.distillguard.contract.ThrottleAction;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.simulate.LabelledCall;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The detector's job jar on a real Flink standalone session cluster (JobManager and TaskManagers in JVMs
 * of their own, started by {@code bin/cluster}) against a real Kafka broker, as an operator runs it:
 * submitted with Flink's CLI and its REST API, a TaskManager killed under it, upgraded by savepoint.
 *
 * <p>Every run reads the same simulated traffic (organic users and a hydra campaign) from a gateway
 * topic of its own with three partitions. The uninterrupted run on two subtasks is the reference: the
 * interrupted runs must commit exactly its decisions, each once. One broker and one cluster serve all.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealClusterIT {

  private static final Path ROOT = Path.of(System.getProperty("distillguard.root")).toAbsolutePath().normalize();
  private static final Path JOB_JAR = Path.of(System.getProperty("distillguard.job-jar"));
  private static final Path HOME = Path.of(System.getProperty("distillguard.cluster-home"));
  private static final String BUILD_VERSION = System.getProperty("distillguard.version");
  private static final String UPGRADED_VERSION = BUILD_VERSION + "-upgraded";
  private static final String VERSION_RESOURCE = "dev/distillguard/detector/config/build.properties";
  private static final Duration WINDOW = Duration.ofMinutes(10);
  private static final int SLOTS_PER_TASKMANAGER = 2;
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(4);

  private static ClusterScript cluster;
  private static FlinkRest rest;
  private static GatewayTraffic traffic;
  private static List<ThrottleDecision> reference;
  private static JsonNode referenceJob;
  private static JsonNode referenceCheckpointConfig;
  private static boolean stopped;

  @BeforeAll
  static void startBrokerAndCluster() {
    cluster = new ClusterScript(ROOT, HOME);
    // Whatever an earlier, interrupted run left in this directory is stopped by its pid files and removed.
    cluster.run("down", "--clean");
    // Maven interrupted (Ctrl-C, a CI timeout) ends this JVM, never the cluster's: they ignore SIGINT.
    Runtime.getRuntime().addShutdownHook(new Thread(RealClusterIT::stopEverything, "bin/cluster down"));
    timed("broker start", () -> cluster.run("kafka", "start"));
    // The production config.yaml as is, but for TaskManagers small enough for two or three on a CI machine.
    timed("cluster start (JobManager and one TaskManager)", () -> cluster.run("start",
        "--set", "taskmanager.memory.process.size=1536m"));
    rest = new FlinkRest(cluster.restUrl());
    traffic = timed("traffic generation", () -> new GatewayTraffic(cluster.bootstrapServers()));
    System.out.printf("traffic: %,d calls, %d hydra accounts, %d organic accounts, split at %s%n", traffic.calls,
        traffic.hydraAccounts.size(), traffic.organicAccounts.size(), traffic.split);
  }

  @AfterAll
  static synchronized void stopEverything() {
    if (cluster != null && !stopped) {
      stopped = true;
      // Logs stay in the run directory (target/cluster-it/log) for whoever reads a failure.
      cluster.run("down");
    }
  }

  @Test
  @Order(1)
  void submittedWithTheCliTheJobThrottlesTheCampaignAndNoOrganicAccount() {
    List<ThrottleDecision> decisions = reference();

    assertThat(decisions).isNotEmpty();
    assertThat(ids(decisions)).doesNotHaveDuplicates();
    assertThat(decisions).allMatch(d -> d.getDetectorVersion().equals(BUILD_VERSION));
    assertThat(decisions).anyMatch(d -> d.getEntityType() == EntityType.CAMPAIGN && d.getAction() != ThrottleAction.REVIEW);
    Set<String> enforced = decisions.stream().filter(d -> d.getAction() != ThrottleAction.REVIEW)
        .flatMap(d -> d.getAccounts().stream()).collect(Collectors.toSet());
    long hydraEnforced = traffic.hydraAccounts.stream().filter(enforced::contains).count();
    assertThat((double) hydraEnforced / traffic.hydraAccounts.size()).isGreaterThan(0.9);
    assertThat(enforced).doesNotContainAnyElementsOf(traffic.organicAccounts);

    // Two subtasks over three partitions, and the cluster's config.yaml in force: RocksDB, retained checkpoints.
    // Every operator runs at the job's parallelism but the control topic's reader: policies are few and
    // one reader keeps their order.
    assertThat(referenceJob.path("vertices")).allSatisfy(v -> assertThat(v.path("parallelism").asInt())
        .isEqualTo(v.path("name").asText().equals("Source: detection policies") ? 1 : 2));
    assertThat(referenceCheckpointConfig.path("state_backend").asText()).isEqualTo("EmbeddedRocksDBStateBackend");
    assertThat(referenceCheckpointConfig.path("mode").asText()).isEqualTo("exactly_once");
    assertThat(referenceCheckpointConfig.path("externalization").path("delete_on_cancellation").asBoolean()).isFalse();
  }

  @Test
  @Order(2)
  void aKilledTaskManagerLosesNoDecisionAndRepeatsNone() throws Exception {
    List<ThrottleDecision> expected = reference();
    String run = "failover";
    traffic.createTopics(run + ".gateway", run + ".throttle", run + ".dead-letters", run + ".policy",
        run + ".policy-status");
    traffic.writeBeforeSplit(run + ".gateway");
    ensureFreeSlots(2);
    // Through the REST API this time, as a deployment pipeline would. Checkpoints every 10 s leave the
    // decisions of the last seconds in an open Kafka transaction, which is when the TaskManager is killed.
    // The traffic arrives here in bursts with pauses, which a gateway never does: a partition declared
    // idle in a pause would let the others run event time ahead of it, and its next calls would be late
    // and dropped depending on timing. So this run keeps every partition in the watermark.
    List<String> args = new ArrayList<>(jobArgs(run));
    args.addAll(List.of("--checkpoint.interval", "10s", "--watermark.idleness", "10m"));
    String job = rest.uploadAndRun(JOB_JAR, 2, args);
    long submitted = System.nanoTime();
    await("first committed decision", () -> !traffic.decisions(run + ".throttle").isEmpty(), job);
    System.out.printf("failover: first decision committed %.1f s after submission%n", seconds(submitted));

    // The rest of the traffic, a minute of event time at a time, until decisions are in flight (written
    // to Kafka in a transaction that no checkpoint has committed yet): then the TaskManager dies.
    long[] inFlight = null;
    try (KafkaTrafficWriter writer = new KafkaTrafficWriter(cluster.bootstrapServers(), run + ".gateway")) {
      Instant chunkEnd = traffic.split.plus(Duration.ofMinutes(1));
      for (LabelledCall call : traffic.scenario) {
        Instant t = call.call().getEventTime();
        if (t.isBefore(traffic.split)) {
          continue;
        }
        if (inFlight == null && !t.isBefore(chunkEnd)) {
          writer.flush();
          chunkEnd = t.plus(Duration.ofMinutes(1));
          inFlight = killIfDecisionsInFlight(run);
        }
        writer.write(call.call());
      }
      long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
      while (inFlight == null && System.nanoTime() < deadline) {
        writer.flush();
        inFlight = killIfDecisionsInFlight(run);
      }
    }
    traffic.writeClosingCalls(run + ".gateway");
    assertThat(inFlight).as("decisions in flight while the traffic was written").isNotNull();
    long killedAt = inFlight[2];
    System.out.printf("failover: TaskManager killed with %d decisions committed and %d written%n",
        inFlight[0], inFlight[1]);

    timed("replacement TaskManager start", () -> cluster.run("taskmanager", "start"));
    await("every task running again", () -> rest.allTasksRunning(job)
        && rest.checkpoints(job).path("counts").path("restored").asInt() >= 1, job);
    System.out.printf("failover: all tasks running again %.1f s after the kill%n", seconds(killedAt));
    JsonNode restored = rest.checkpoints(job).path("latest").path("restored");
    assertThat(restored.path("is_savepoint").asBoolean()).isFalse();
    assertThat(restored.path("id").asLong()).as("restored from a checkpoint, not from scratch").isPositive();
    long restoredId = restored.path("id").asLong();
    await("a checkpoint after the restore", () -> rest.latestCompletedCheckpoint(job) > restoredId, job);
    System.out.printf("failover: first checkpoint after the restore %.1f s after the kill%n", seconds(killedAt));

    List<ThrottleDecision> decisions = awaitDecisions(job, run, expected.size());
    int writtenInAll = traffic.decisions(run + ".throttle", "read_uncommitted").size();
    System.out.printf("failover: %d decisions committed, %d records written to the topic in all%n",
        decisions.size(), writtenInAll);
    cancel(job);

    assertThat(ids(decisions)).doesNotHaveDuplicates();
    assertThat(sorted(decisions)).isEqualTo(sorted(expected));
  }

  @Test
  @Order(3)
  void anUpgradeBySavepointToANewJarAndParallelismCarriesTheCampaignOn() throws Exception {
    List<ThrottleDecision> expected = reference();
    String run = "upgrade";
    traffic.createTopics(run + ".gateway", run + ".throttle", run + ".dead-letters", run + ".policy",
        run + ".policy-status");
    traffic.writeBeforeSplit(run + ".gateway");
    ensureFreeSlots(2);
    String job = cluster.submit(concat(List.of("-p", "2"), jobArgs(run)));
    await("the traffic before the split consumed, the campaign decided",
        () -> traffic.consumedToEnd(group(run), run + ".gateway") && traffic.decisions(run + ".throttle").stream()
            .anyMatch(d -> d.getEntityType() == EntityType.CAMPAIGN), job);

    long stopping = System.nanoTime();
    String savepoint = cluster.stopWithSavepoint(job);
    System.out.printf("upgrade: stop with a savepoint took %.1f s%n", seconds(stopping));
    assertThat(awaitTerminal(job)).isEqualTo("FINISHED");
    List<ThrottleDecision> beforeStop = traffic.finishedDecisions(run + ".throttle");

    traffic.writeFromSplit(run + ".gateway");
    Path upgradedJar = upgradedJar();
    // Four subtasks over three partitions: one source subtask has no partition and must go idle, not hold
    // event time back; four slots need a second TaskManager.
    ensureFreeSlots(4);
    long resuming = System.nanoTime();
    String resumed = cluster.submit(concat(List.of("-p", "4", "-s", savepoint, "--jar", upgradedJar.toString()),
        jobArgs(run)));
    await("the resumed job running", () -> rest.allTasksRunning(resumed), resumed);
    System.out.printf("upgrade: resumed job running %.1f s after submission%n", seconds(resuming));
    List<ThrottleDecision> decisions = awaitDecisions(resumed, run, expected.size());
    JsonNode restored = rest.checkpoints(resumed).path("latest").path("restored");
    JsonNode resumedJob = rest.job(resumed);
    printResidentMemory();
    cancel(resumed);

    // Everything the uninterrupted run decided, each once; the version aside, the records are the same.
    assertThat(ids(decisions)).doesNotHaveDuplicates();
    assertThat(sortedWithoutVersion(decisions)).isEqualTo(sortedWithoutVersion(expected));
    // Before the stop the old jar decided, after it the new one, on four subtasks, from the savepoint.
    assertThat(beforeStop).isNotEmpty().allMatch(d -> d.getDetectorVersion().equals(BUILD_VERSION));
    List<ThrottleDecision> afterResume = decisions.subList(beforeStop.size(), decisions.size());
    assertThat(decisions.subList(0, beforeStop.size())).isEqualTo(beforeStop);
    assertThat(afterResume).isNotEmpty().allMatch(d -> d.getDetectorVersion().equals(UPGRADED_VERSION));
    // Every operator runs at the job's parallelism but the control topic's reader: policies are few and
    // one reader keeps their order.
    assertThat(resumedJob.path("vertices")).allSatisfy(v -> assertThat(v.path("parallelism").asInt())
        .isEqualTo(v.path("name").asText().equals("Source: detection policies") ? 1 : 4));
    assertThat(restored.path("is_savepoint").asBoolean()).isTrue();
    assertThat(restored.path("external_path").asText()).isEqualTo(savepoint);

    // The campaign goes on where it was: its first decision after the resume widens the last one before
    // the stop. It keeps that decision's window start, from before anything a job started cold at the
    // split could have seen (its earliest window starts a window length before the split), and every
    // account already named.
    ThrottleDecision lastBefore = last(beforeStop, EntityType.CAMPAIGN);
    ThrottleDecision firstAfter = afterResume.stream()
        .filter(d -> d.getEntityType() == EntityType.CAMPAIGN && d.getEntityId().equals(lastBefore.getEntityId()))
        .findFirst().orElseThrow(() -> new AssertionError("no decision for " + lastBefore.getEntityId() + " after the resume"));
    assertThat(firstAfter.getWindowStart()).isEqualTo(lastBefore.getWindowStart())
        .isBefore(traffic.split.minus(WINDOW));
    assertThat(firstAfter.getAccounts()).containsAll(lastBefore.getAccounts());
    assertThat(firstAfter.getAccounts().size()).isGreaterThanOrEqualTo(lastBefore.getAccounts().size());
    System.out.printf("upgrade: %s had %d accounts before the stop, %d in its first decision after the resume%n",
        lastBefore.getEntityId(), lastBefore.getAccounts().size(), firstAfter.getAccounts().size());
  }

  /** A failed test leaves no job holding slots the next one needs. */
  @AfterEach
  void cancelRunningJobs() {
    for (JsonNode job : rest.get("/jobs/overview").path("jobs")) {
      if (Set.of("RUNNING", "RESTARTING", "CREATED", "INITIALIZING").contains(job.path("state").asText())) {
        cancel(job.path("jid").asText());
      }
    }
  }

  /** The uninterrupted run, on two subtasks, submitted with the CLI; made once for every test. */
  private static synchronized List<ThrottleDecision> reference() {
    if (reference == null) {
      String run = "reference";
      traffic.createTopics(run + ".gateway", run + ".throttle", run + ".dead-letters", run + ".policy",
        run + ".policy-status");
      timed("writing the reference traffic", () -> traffic.writeAll(run + ".gateway"));
      ensureFreeSlots(2);
      long submitting = System.nanoTime();
      String job = cluster.submit(concat(List.of("-p", "2"), jobArgs(run)));
      System.out.printf("reference: CLI submission took %.1f s%n", seconds(submitting));
      List<ThrottleDecision> decisions = awaitDecisions(job, run, 0);
      System.out.printf("reference: %d decisions, all committed %.1f s after submission%n", decisions.size(),
          seconds(submitting));
      referenceJob = rest.job(job);
      referenceCheckpointConfig = rest.checkpointConfig(job);
      cancel(job);
      reference = decisions;
    }
    return reference;
  }

  private static List<String> jobArgs(String run) {
    return List.of("--bootstrap.servers", cluster.bootstrapServers(), "--starting-offsets", "earliest",
        "--input.topic", run + ".gateway", "--throttle.topic", run + ".throttle",
        "--dead-letter.topic", run + ".dead-letters", "--policy.topic", run + ".policy",
        "--policy-status.topic", run + ".policy-status", "--transactional-id.prefix", "cluster-it-" + run,
        "--group.id", group(run));
  }

  private static String group(String run) {
    return "cluster-it-" + run;
  }

  /**
   * The decisions once the job has read its whole gateway topic, committed at least {@code expected}
   * decisions, and completed two more checkpoints: any decision still to come, a duplicate included, would
   * have been committed by then (the closing calls carry event time past every window, so every timer
   * fires before the checkpoint after the one that covered them).
   */
  private static List<ThrottleDecision> awaitDecisions(String job, String run, int expected) {
    await("the gateway topic consumed", () -> traffic.consumedToEnd(group(run), run + ".gateway"), job);
    await(expected + " decisions committed", () -> traffic.decisions(run + ".throttle").size() >= expected, job);
    long checkpoint = rest.latestCompletedCheckpoint(job);
    await("two more checkpoints", () -> rest.latestCompletedCheckpoint(job) >= checkpoint + 2, job);
    return traffic.decisions(run + ".throttle");
  }

  /** Polls until {@code condition} holds; fails at once if the job fails or ends. */
  private static void await(String what, BooleanSupplier condition, String job) {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      String state = rest.state(job);
      if (Set.of("FAILED", "CANCELED", "FINISHED", "SUSPENDED").contains(state)) {
        throw new AssertionError("job " + job + " is " + state + " while waiting for " + what + "; logs in "
            + HOME.resolve("log"));
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " after " + RUN_TIMEOUT + " (job " + state + "); logs in "
            + HOME.resolve("log"));
      }
      sleep(500);
    }
  }

  /** Starts TaskManagers until {@code slots} slots are free. Jobs of earlier tests are cancelled. */
  private static void ensureFreeSlots(int slots) {
    while (cluster.runningTaskManagers().size() * SLOTS_PER_TASKMANAGER < slots) {
      timed("TaskManager start", () -> cluster.run("taskmanager", "start"));
    }
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (rest.get("/overview").path("slots-available").asInt() < slots) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("fewer than " + slots + " slots free: " + rest.get("/overview"));
      }
      sleep(250);
    }
  }

  /**
   * Kills the TaskManagers if the throttle topic holds decisions no checkpoint has committed yet (they
   * are in an open transaction); returns the committed and written counts then and the time of the kill,
   * or null.
   */
  private static long[] killIfDecisionsInFlight(String run) {
    int committed = traffic.decisions(run + ".throttle").size();
    int written = traffic.decisions(run + ".throttle", "read_uncommitted").size();
    if (written <= committed) {
      return null;
    }
    killAllTaskManagers();
    return new long[] {committed, written, System.nanoTime()};
  }

  /** SIGKILL, as a machine dies: no shutdown, no final checkpoint, the Kafka transaction left open. */
  private static void killAllTaskManagers() {
    List<String> taskManagers = cluster.runningTaskManagers();
    assertThat(taskManagers).isNotEmpty();
    for (String taskManager : taskManagers) {
      long pid = cluster.pid(taskManager);
      cluster.run("taskmanager", "kill", taskManager.substring(taskManager.indexOf('-') + 1));
      assertThat(ClusterScript.running(pid)).isFalse();
    }
  }

  private static void cancel(String job) {
    rest.cancel(job);
    assertThat(awaitTerminal(job)).isEqualTo("CANCELED");
  }

  private static String awaitTerminal(String job) {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    String state = rest.state(job);
    while (!Set.of("FINISHED", "CANCELED", "FAILED").contains(state)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("job " + job + " still " + state + " after " + RUN_TIMEOUT);
      }
      sleep(250);
      state = rest.state(job);
    }
    return state;
  }

  /** The job jar rebuilt as a new release: the same code, another version stamped into it. */
  private static Path upgradedJar() throws IOException {
    Path jar = HOME.resolve("distill-guard-detector-upgraded-job.jar");
    Files.copy(JOB_JAR, jar, StandardCopyOption.REPLACE_EXISTING);
    try (FileSystem zip = FileSystems.newFileSystem(jar)) {
      Path resource = zip.getPath(VERSION_RESOURCE);
      assertThat(Files.readString(resource)).contains("version=" + BUILD_VERSION);
      Files.writeString(resource, "version=" + UPGRADED_VERSION + "\n");
    }
    return jar;
  }

  /** What each of the cluster's processes holds in memory now: for the record, not asserted. */
  private static void printResidentMemory() {
    List<String> processes = new ArrayList<>(List.of("kafka", "jobmanager"));
    processes.addAll(cluster.runningTaskManagers());
    for (String process : processes) {
      try {
        String status = Files.readString(Path.of("/proc/" + cluster.pid(process) + "/status"));
        Matcher rss = Pattern.compile("VmRSS:\\s+(\\d+) kB").matcher(status);
        if (rss.find()) {
          System.out.printf("memory: %s %d MB resident%n", process, Long.parseLong(rss.group(1)) / 1024);
        }
      } catch (IOException | RuntimeException e) {
        System.out.printf("memory: %s unknown (%s)%n", process, e.getMessage());
      }
    }
  }

  private static ThrottleDecision last(List<ThrottleDecision> decisions, EntityType type) {
    return decisions.stream().filter(d -> d.getEntityType() == type)
        .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no " + type + " decision"));
  }

  private static List<String> ids(List<ThrottleDecision> decisions) {
    return decisions.stream().map(ThrottleDecision::getDecisionId).toList();
  }

  private static List<ThrottleDecision> sorted(List<ThrottleDecision> decisions) {
    List<ThrottleDecision> out = new ArrayList<>(decisions);
    out.sort(Comparator.comparing(ThrottleDecision::getDecisionId));
    return out;
  }

  private static List<ThrottleDecision> sortedWithoutVersion(List<ThrottleDecision> decisions) {
    return sorted(decisions.stream()
        .map(d -> ThrottleDecision.newBuilder(d).setDetectorVersion("").build()).toList());
  }

  private static String[] concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out.toArray(String[]::new);
  }

  private static <T> T timed(String what, java.util.function.Supplier<T> action) {
    long started = System.nanoTime();
    T result = action.get();
    System.out.printf("%s: %.1f s%n", what, seconds(started));
    return result;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
