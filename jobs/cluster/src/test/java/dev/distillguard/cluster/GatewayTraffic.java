package dev.distillguard.cluster;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.contract.AvroBinary;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.simulate.CampaignSpec;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.simulate.LabelledCall;
import dev.distillguard.simulate.OrganicTraffic;
import dev.distillguard.simulate.Scenario;
import dev.distillguard.testkit.TopicReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The test's gateway traffic and what the broker holds: organic users and one hydra campaign from the
 * simulator, written by event time, whole or in two parts split at {@link #split}, and closed by one
 * call per partition hours later that carries event time past every window and decision expiry.
 */
final class GatewayTraffic {

  static final int PARTITIONS = 3;

  final Scenario scenario;
  /** Where a run's traffic is cut in two: the campaign has been throttled for a while and is still growing. */
  final Instant split;
  final Set<String> hydraAccounts = new HashSet<>();
  final Set<String> organicAccounts = new HashSet<>();
  final long calls;

  private final String bootstrapServers;

  GatewayTraffic(String bootstrapServers) {
    this.bootstrapServers = bootstrapServers;
    // 400 hydra accounts, one request every 30 minutes each behind 24 proxy subnets, from minute 10; the
    // split at minute 34 leaves every account's first request, and the campaign's widening, on both sides.
    this.scenario = Scenario.builder("cluster-it").seed(21).span(Duration.ofMinutes(70))
        .populations(OrganicTraffic.background(0.25))
        .population(CampaignSpec.builder("cluster-it:hydra").accounts(400).proxyPool(24, 4, 3)
            .requestsPerHourPerAccount(2).jitter(0.1).startAfter(Duration.ofMinutes(10)).build().population())
        .build();
    this.split = scenario.start().plus(Duration.ofMinutes(34));
    long n = 0;
    for (LabelledCall call : scenario) {
      n++;
      String account = call.call().getAccountId();
      if (call.label().campaign()) {
        hydraAccounts.add(account);
      } else {
        organicAccounts.add(account);
      }
    }
    this.calls = n;
  }

  void createTopics(String... topics) {
    try (Admin admin = admin()) {
      for (String topic : topics) {
        int partitions = topic.endsWith(".gateway") ? PARTITIONS : 1;
        try {
          admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("could not create " + topic, e.getCause());
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Writes the calls with event time in [from, to) as the gateway does (keyed by account), in order. */
  long write(String topic, Instant from, Instant to) {
    long written = 0;
    try (KafkaTrafficWriter writer = new KafkaTrafficWriter(bootstrapServers, topic)) {
      for (LabelledCall call : scenario) {
        Instant t = call.call().getEventTime();
        if (!t.isBefore(from) && t.isBefore(to)) {
          writer.write(call.call());
          written++;
        }
      }
    }
    return written;
  }

  long writeBeforeSplit(String topic) {
    return write(topic, Instant.MIN, split);
  }

  /** The calls from the split on, then the closing calls. */
  long writeFromSplit(String topic) {
    long written = write(topic, split, Instant.MAX);
    writeClosingCalls(topic);
    return written;
  }

  long writeAll(String topic) {
    long written = write(topic, Instant.MIN, Instant.MAX);
    writeClosingCalls(topic);
    return written;
  }

  /**
   * One valid call per partition three hours after the traffic: every partition's event time then passes
   * every window and expiry, so the job's last decisions come out without waiting for idleness.
   */
  void writeClosingCalls(String topic) {
    ApiCall template = scenario.iterator().next().call();
    Instant at = scenario.end().plus(Duration.ofHours(3));
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(
        KafkaTrafficWriter.producerProperties(bootstrapServers), new ByteArraySerializer(), new ByteArraySerializer())) {
      for (int p = 0; p < PARTITIONS; p++) {
        String id = "cluster-it-closing-" + p;
        ApiCall call = ApiCall.newBuilder(template).setRequestId(id).setAccountId(id).setEventTime(at).build();
        producer.send(new ProducerRecord<>(topic, p, at.toEpochMilli(), id.getBytes(StandardCharsets.UTF_8),
            AvroBinary.encode(call)));
      }
      producer.flush();
    }
  }

  List<ThrottleDecision> decisions(String topic) {
    return decisions(topic, "read_committed");
  }

  List<ThrottleDecision> decisions(String topic, String isolation) {
    return decode(TopicReader.read(bootstrapServers, topic, isolation, Duration.ofMinutes(1)));
  }

  /** Every decision on the topic once the job writing it has finished, its last transaction included. */
  List<ThrottleDecision> finishedDecisions(String topic) {
    return decode(TopicReader.readSettled(bootstrapServers, topic));
  }

  private static List<ThrottleDecision> decode(List<ConsumerRecord<byte[], byte[]>> records) {
    List<ThrottleDecision> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      out.add(AvroBinary.decode(r.value(), ThrottleDecision.class));
    }
    return out;
  }

  /** Whether the consumer group's committed offsets (the job commits them on checkpoints) reach the end. */
  boolean consumedToEnd(String group, String topic) {
    try (Admin admin = admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
          admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : end.entrySet()) {
        OffsetAndMetadata offset = committed.get(e.getKey());
        if (offset == null || offset.offset() < e.getValue().offset()) {
          return false;
        }
      }
      return true;
    } catch (Exception e) {
      throw new IllegalStateException("could not read the offsets of group " + group, e);
    }
  }

  private Admin admin() {
    Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return Admin.create(props);
  }
}
