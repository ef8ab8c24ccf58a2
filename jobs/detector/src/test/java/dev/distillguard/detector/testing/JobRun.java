package dev.distillguard.detector.testing;

import dev.distillguard.contract.DeadLetter;
import dev.distillguard.contract.ThrottleDecision;
import dev.distillguard.detector.DetectorTopology;
import dev.distillguard.detector.DistillGuardJob;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.ingest.DuplicateFilter;
import dev.distillguard.detector.ingest.IngestRouter;
import dev.distillguard.detector.ingest.Ingested;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.WindowFeatures;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole detector topology on a MiniCluster over a fixed list of ingested records, with everything it
 * produces collected. The source is one subtask that emits a watermark after every call (bounded
 * out-of-orderness, as the job's own strategy), so whether a call is late depends only on the calls before
 * it, not on when a periodic watermark happened to fire.
 */
public final class JobRun {

  public final List<ThrottleDecision> decisions;
  public final List<DeadLetter> deadLetters;
  public final List<CallEvent> lateCalls;
  public final List<CallEvent> duplicateCalls;
  public final List<WindowFeatures> accountFeatures;
  public final List<WindowFeatures> subnetFeatures;
  public final List<WindowFeatures> templateFeatures;
  public final Map<String, Object> accumulators;

  private JobRun(CollectingSink<ThrottleDecision> decisions, CollectingSink<DeadLetter> deadLetters,
      CollectingSink<CallEvent> late, CollectingSink<CallEvent> duplicates, CollectingSink<WindowFeatures> account,
      CollectingSink<WindowFeatures> subnet, CollectingSink<WindowFeatures> template, JobExecutionResult result) {
    this.decisions = decisions.results();
    this.deadLetters = deadLetters.results();
    this.lateCalls = late.results();
    this.duplicateCalls = duplicates.results();
    this.accountFeatures = account.results();
    this.subnetFeatures = subnet.results();
    this.templateFeatures = template.results();
    this.accumulators = result.getAllAccumulatorResults();
  }

  /** Runs the topology over {@code input} with parallelism 2 after the source. */
  public static JobRun of(List<Ingested> input, DetectorConfig config) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(DistillGuardJob.jobConfiguration(config));
    env.setParallelism(2);
    DataStream<Ingested> source = env.fromData(input, TypeInformation.of(Ingested.class)).setParallelism(1)
        .uid("test-source")
        .assignTimestampsAndWatermarks(everyCall(config.eventTime().outOfOrderness().toMillis())).setParallelism(1)
        .uid("test-watermarks");
    CollectingSink<ThrottleDecision> decisions = new CollectingSink<>();
    CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
    DetectorTopology.Outputs outputs = DetectorTopology.define(source, PolicyRecords.stream(env, 0L), decisions,
        deadLetters, new CollectingSink<>(), config);
    CollectingSink<CallEvent> late = new CollectingSink<>();
    CollectingSink<CallEvent> duplicates = new CollectingSink<>();
    CollectingSink<WindowFeatures> account = new CollectingSink<>();
    CollectingSink<WindowFeatures> subnet = new CollectingSink<>();
    CollectingSink<WindowFeatures> template = new CollectingSink<>();
    outputs.lateCalls().sinkTo(late).uid("test-late").name("late");
    outputs.duplicateCalls().sinkTo(duplicates).uid("test-duplicates").name("duplicates");
    outputs.accountFeatures().sinkTo(account).uid("test-account-features").name("account features");
    outputs.subnetFeatures().sinkTo(subnet).uid("test-subnet-features").name("subnet features");
    outputs.templateFeatures().sinkTo(template).uid("test-template-features").name("template features");
    JobExecutionResult result = env.execute("detector test run");
    return new JobRun(decisions, deadLetters, late, duplicates, account, subnet, template, result);
  }

  public long read() {
    return count(IngestRouter.READ);
  }

  public long processed() {
    return count(DuplicateFilter.PROCESSED);
  }

  public long deadLettered() {
    return count(IngestRouter.DEAD_LETTERED);
  }

  public long duplicates() {
    return count(DuplicateFilter.DUPLICATES);
  }

  public long late() {
    return count(IngestRouter.LATE);
  }

  private long count(String accumulator) {
    Object value = accumulators.get(accumulator);
    return value instanceof Number n ? n.longValue() : 0L;
  }

  /** Bounded out-of-orderness over valid calls, as the job's strategy, but a watermark after every call. */
  static WatermarkStrategy<Ingested> everyCall(long outOfOrdernessMillis) {
    return WatermarkStrategy.<Ingested>forGenerator(context -> new WatermarkGenerator<>() {
      private long max = Long.MIN_VALUE + outOfOrdernessMillis + 1;

      @Override
      public void onEvent(Ingested ingested, long timestamp, WatermarkOutput output) {
        if (ingested.event != null) {
          max = Math.max(max, timestamp);
          output.emitWatermark(new Watermark(max - outOfOrdernessMillis - 1));
        }
      }

      @Override
      public void onPeriodicEmit(WatermarkOutput output) {}
    }).withTimestampAssigner((ingested, recordTimestamp) ->
        ingested.event != null ? ingested.event.getEventTime() : recordTimestamp);
  }
}
