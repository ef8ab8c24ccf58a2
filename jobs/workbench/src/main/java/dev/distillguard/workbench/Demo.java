package dev.distillguard.workbench;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.simulate.CampaignSpec;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.simulate.Scenario;
import dev.distillguard.simulate.ScenarioSpec;
import dev.distillguard.workbench.evaluate.Scoreboard;
import dev.distillguard.testkit.LocalKafkaBroker;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The detector on its embedded default, start to finish: a real Kafka broker, two hours of organic
 * traffic with one hydra campaign in it and three malformed records, the detector on a local Flink
 * environment, and the decisions it made, scored against the simulator's ground truth.
 */
public final class Demo {

  private Demo() {}

  public static void main(String[] args) throws Exception {
    long seed = 7;
    double scale = 1.0;
    int parallelism = 2;
    for (int i = 0; i < args.length; i += 2) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--seed" -> seed = Long.parseLong(value);
        case "--scale" -> scale = Double.parseDouble(value);
        case "--parallelism" -> parallelism = Integer.parseInt(value);
        default -> {
          System.err.println("usage: bin/demo [--seed N] [--scale X] [--parallelism P]");
          System.exit(2);
        }
      }
    }
    System.exit(run(seed, scale, parallelism, System.out) ? 0 : 1);
  }

  /** The demo's traffic: organic background plus one hydra of light accounts behind a proxy pool. */
  public static Scenario traffic(long seed, double scale) {
    int accounts = Math.max(100, (int) Math.round(2_000 * scale));
    return ScenarioSpec.builder("demo")
        .seed(seed)
        .span(Duration.ofHours(2))
        .organicScale(scale)
        .campaign(CampaignSpec.builder("demo:hydra")
            .accounts(accounts)
            .proxyPool(600, 8, 5)
            .templates(List.of("reasoning-stepwise"))
            .requestsPerHourPerAccount(1)
            .jitter(0.1)
            .startAfter(Duration.ofMinutes(25))
            .build())
        .build()
        .scenario();
  }

  /** Runs the demo, printing to {@code out}; true when the planted campaign was caught and no organic account throttled. */
  public static boolean run(long seed, double scale, int parallelism, PrintStream out) throws Exception {
    Scenario traffic = traffic(seed, scale);
    out.println("Starting a Kafka 4.2 broker (KRaft, one node, its own JVM) ...");
    try (LocalKafkaBroker broker = LocalKafkaBroker.start()) {
      out.printf(Locale.ROOT, "  broker pid %d at %s%n", broker.pid(), broker.bootstrapServers());
      DetectorConfig config = LocalDetectorRun.config(broker);
      LocalDetectorRun.createTopics(broker, config, 4);

      out.printf(Locale.ROOT, "Writing %s to %s: organic traffic plus one hydra campaign ...%n",
          describe(traffic), config.kafka().inputTopic());
      long written = LocalDetectorRun.write(broker, config, traffic);
      writeMalformed(broker, config.kafka().inputTopic(), traffic.iterator().next().call());
      out.printf(Locale.ROOT, "  %,d calls and 3 malformed records written%n", written);

      out.printf(Locale.ROOT, "Running the detector (local Flink, parallelism %d, exactly-once sinks) ...%n",
          parallelism);
      LocalDetectorRun.Result result = LocalDetectorRun.run(broker, config, parallelism);
      out.printf(Locale.ROOT, "  job finished in %.1f s (%,.0f calls/s)%n%n", result.jobTime().toMillis() / 1000.0,
          written / Math.max(0.001, result.jobTime().toMillis() / 1000.0));

      out.printf(Locale.ROOT, "Decisions on %s (read_committed), latest per entity:%n", config.kafka().throttleTopic());
      out.println(DecisionTable.render(result.decisions()));
      printDeadLetters(out, result.deadLetters(), config.kafka().deadLetterTopic());

      Scoreboard score = Scoreboard.score(traffic, result.decisions());
      return printScore(out, score);
    } finally {
      out.println("Broker stopped; nothing left running.");
    }
  }

  private static String describe(Scenario traffic) {
    return Duration.between(traffic.start(), traffic.end()).toHours() + " hours of event time from " + traffic.start();
  }

  /** Records no gateway should write, so the dead-letter topic has something to show. */
  private static void writeMalformed(LocalKafkaBroker broker, String topic, ApiCall sample) {
    ApiCall badIp = ApiCall.newBuilder(sample).setRequestId("demo-bad-ip").setClientIp("999.1.2.3").build();
    ApiCall negative = ApiCall.newBuilder(sample).setRequestId("demo-negative").setPromptTokens(-5).build();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        KafkaTrafficWriter.producerProperties(broker.bootstrapServers()), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      long t = sample.getEventTime().toEpochMilli();
      producer.send(new ProducerRecord<>(topic, null, t, null, "not avro at all".getBytes(StandardCharsets.UTF_8)));
      producer.send(new ProducerRecord<>(topic, null, t, null, AvroBinary.encode(badIp)));
      producer.send(new ProducerRecord<>(topic, null, t, null, AvroBinary.encode(negative)));
    }
  }

  private static void printDeadLetters(PrintStream out, List<DeadLetter> letters, String topic) {
    out.printf(Locale.ROOT, "Dead letters on %s: %d%n", topic, letters.size());
    for (DeadLetter letter : letters) {
      out.printf(Locale.ROOT, "  %-22s %s (partition %d, offset %d)%n", letter.getReason(), letter.getDetail(),
          letter.getSourcePartition(), letter.getSourceOffset());
    }
    out.println();
  }

  private static boolean printScore(PrintStream out, Scoreboard score) {
    out.println("Against the simulator's ground truth:");
    boolean caught = true;
    for (Scoreboard.CampaignScore c : score.campaigns()) {
      out.printf(Locale.ROOT, "  campaign %s: %,d accounts, %,d requests (%.0f/min)%n", c.campaignId(), c.accounts(),
          c.requests(), c.requestsPerMinute());
      if (!c.detected()) {
        out.println("    NOT DETECTED");
        caught = false;
        continue;
      }
      out.printf(Locale.ROOT, "    first throttle %s after its first request; %d of %d accounts throttled or blocked "
              + "(%.1f%%), %.1f%% within its first hour; %,d requests (%.1f%%) got through before their account "
              + "was covered%n",
          minutes(c.timeToFirstDecision()), c.accountsEnforced(), c.accounts(), 100 * c.enforcedShare(),
          100 * c.enforcedWithinHourShare(), c.requestsLeaked(), 100 * c.leakedShare());
    }
    Scoreboard.BenignScore benign = score.benign();
    out.printf(Locale.ROOT, "  organic accounts: %,d; throttled or blocked: %d (heavy: %d of %d, behind shared "
            + "addresses: %d of %d); under review only: %d%n",
        benign.accounts(), benign.enforced(), benign.heavyEnforced(), benign.heavyAccounts(),
        benign.sharedAddressEnforced(), benign.sharedAddressAccounts(), benign.reviewedOnly());
    if (!benign.enforcedByPopulation().isEmpty()) {
      out.println("    by population: " + new TreeMap<>(benign.enforcedByPopulation()));
    }
    out.printf(Locale.ROOT, "  account precision %.3f, recall %.3f%n", score.precision(), score.recall());
    return caught && benign.enforced() == 0;
  }

  private static String minutes(Duration d) {
    return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
  }
}
