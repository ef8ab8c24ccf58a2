package dev.distillguard.workbench.policy;

import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.DetectionPolicy;
import dev.distillguard.contract.PolicyOutcome;
import dev.distillguard.contract.PolicyStatus;
import dev.distillguard.detector.config.ConfigException;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.policy.PolicyRules;
import dev.distillguard.testkit.TopicReader;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Publishes a detection policy from a YAML or JSON file, or prints the one in force:
 *
 * <pre>
 * bin/policy publish FILE [--bootstrap.servers HOST:PORT] [--policy.topic T] [--force]
 * bin/policy show [--bootstrap.servers HOST:PORT] [--policy-status.topic T]
 * </pre>
 *
 * Settings are the detector's ({@code --config FILE} too), so the command checks a policy against the
 * same configuration the job runs with before it publishes; {@code --force} publishes anyway, and the
 * job's gate has the last word either way. What is in force is what the job last accepted, read from
 * its audit trail.
 */
public final class PolicyCommand {

  private PolicyCommand() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || !(args[0].equals("publish") || args[0].equals("show"))) {
      err.println("usage: policy publish FILE [--force] [detector settings] | policy show [detector settings]");
      return 2;
    }
    List<String> rest = new ArrayList<>(Arrays.asList(args).subList(1, args.length));
    boolean force = rest.remove("--force");
    String file = null;
    if (args[0].equals("publish")) {
      if (rest.isEmpty() || rest.get(0).startsWith("--")) {
        err.println("policy publish needs a file");
        return 2;
      }
      file = rest.remove(0);
    }
    DetectorConfig config;
    try {
      config = DetectorConfig.fromArgs(rest.toArray(String[]::new));
    } catch (ConfigException e) {
      err.println(e.getMessage());
      return 2;
    }
    if (args[0].equals("show")) {
      return show(config, out);
    }
    DetectionPolicy policy;
    try {
      policy = PolicyFiles.read(Path.of(file));
    } catch (IllegalArgumentException e) {
      err.println(file + ": " + e.getMessage());
      return 1;
    }
    try {
      PolicyRules.compile(policy, config);
    } catch (PolicyRules.PolicyRejected e) {
      err.println("policy v" + policy.getVersion() + " would be rejected:");
      e.reasons().forEach(r -> err.println("  - " + r));
      if (!force) {
        return 1;
      }
      err.println("publishing anyway (--force): the job's gate will reject it and say why on "
          + config.kafka().policyStatusTopic());
    }
    publish(config.kafka().bootstrapServers(), config.kafka().policyTopic(), policy);
    out.printf("published policy v%d by %s to %s; the job's verdict appears on %s (policy show)%n",
        policy.getVersion(), policy.getAuthor(), config.kafka().policyTopic(), config.kafka().policyStatusTopic());
    return 0;
  }

  /** Writes {@code policy} to the control topic, acknowledged by the broker. */
  public static void publish(String bootstrapServers, String topic, DetectionPolicy policy) throws Exception {
    publishBytes(bootstrapServers, topic, AvroBinary.encode(policy), "v" + policy.getVersion());
  }

  /** Writes raw bytes to the control topic: what a broken publisher would send. */
  public static void publishBytes(String bootstrapServers, String topic, byte[] value, String key) throws Exception {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key.getBytes(java.nio.charset.StandardCharsets.UTF_8), value)).get();
    }
  }

  /** Every verdict of the job's gate, oldest first. */
  public static List<PolicyStatus> statuses(String bootstrapServers, String topic) {
    List<PolicyStatus> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> record : TopicReader.readCommitted(bootstrapServers, topic)) {
      out.add(AvroBinary.decode(record.value(), PolicyStatus.class));
    }
    return out;
  }

  private static int show(DetectorConfig config, PrintStream out) {
    List<PolicyStatus> statuses = statuses(config.kafka().bootstrapServers(), config.kafka().policyStatusTopic());
    PolicyStatus inForce = null;
    int rejectedSince = 0;
    for (PolicyStatus status : statuses) {
      if (status.getOutcome() == PolicyOutcome.ACCEPTED) {
        inForce = status;
        rejectedSince = 0;
      } else {
        rejectedSince++;
      }
    }
    if (inForce == null) {
      out.println("no policy accepted yet: the job runs on its configuration (version 0)");
    } else {
      out.printf("in force: policy v%d by %s, effective from %s, accepted from %s offset %d%n",
          inForce.getVersion(), inForce.getAuthor(), inForce.getEffectiveFrom(), config.kafka().policyTopic(),
          inForce.getSourceOffset());
      inForce.getChanges().forEach(c -> out.println("  changed " + c));
      out.println(inForce.getPolicy());
    }
    if (rejectedSince > 0) {
      out.printf("%d later policy record(s) rejected:%n", rejectedSince);
      statuses.subList(statuses.size() - rejectedSince, statuses.size()).forEach(s ->
          out.printf("  v%s by %s: %s%n", s.getVersion(), s.getAuthor(), String.join("; ", s.getReasons())));
    }
    return 0;
  }
}
