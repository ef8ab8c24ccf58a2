package dev.distillguard.bench.jmh;

import dev.distillguard.detector.Descriptors;
import dev.distillguard.detector.config.DetectorConfig;
import dev.distillguard.detector.features.FeatureSettings;
import dev.distillguard.detector.features.FrozenPane;
import dev.distillguard.detector.features.Panes;
import dev.distillguard.detector.features.RecordBytes;
import dev.distillguard.detector.features.StoredPane;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.formats.avro.typeutils.AvroSerializer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a template pane costs as state: decoding it (RocksDB, at every access), encoding it (RocksDB at
 * every write, heap at every checkpoint) and copying it (the heap backend's copy-on-write), with the
 * job's pane serializer ({@code state}, the pane frozen, as the state holds it once its windows are
 * computed) and with Flink's plain Avro serializer ({@code avro}), whose decoded panes hold hash maps; and
 * what the job pays to freeze an open pane and to thaw a frozen one.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PaneStateBenchmark {

  @Param({"state", "avro"})
  public String serializer;

  /** Calls in the pane: 30 is a chance bucket's minute at 500 calls per event-time second, 300 a hot one. */
  @Param({"30", "300"})
  public int callsPerPane;

  private final FeatureSettings settings = DetectorConfig.defaults().features();
  private TypeSerializer<Object> paneSerializer;
  private Object pane;
  private Pane open;
  private FrozenPane frozen;
  private final RecordBytes paneBytes = new RecordBytes();
  private byte[] bytes;
  private final DataOutputSerializer out = new DataOutputSerializer(64 * 1024);
  private final DataInputDeserializer in = new DataInputDeserializer();

  @Setup
  public void setUp() throws IOException {
    @SuppressWarnings("unchecked")
    TypeSerializer<Object> chosen = (TypeSerializer<Object>) (TypeSerializer<?>) (serializer.equals("state")
        ? Descriptors.keyPanes().getValueSerializer()
        : new AvroSerializer<>(Pane.class));
    paneSerializer = chosen;
    Pane built = Panes.empty(CampaignCalls.START);
    for (CallEvent call : CampaignCalls.pane(KeySpace.TEMPLATE, CampaignCalls.START, callsPerPane, settings,
        new SplittableRandom(42))) {
      Panes.add(built, call, KeySpace.TEMPLATE, settings);
    }
    open = built;
    out.clear();
    paneSerializer.serialize(serializer.equals("state") ? new StoredPane.Open(built) : built, out);
    bytes = out.getCopyOfBuffer();
    // The pane as this serializer's state holds it: decoded by it.
    in.setBuffer(bytes);
    pane = paneSerializer.deserialize(in);
    frozen = FrozenPane.of(built, paneBytes);
  }

  @Benchmark
  public Object decode() throws IOException {
    in.setBuffer(bytes);
    return paneSerializer.deserialize(in);
  }

  @Benchmark
  public int encode() throws IOException {
    out.clear();
    paneSerializer.serialize(pane, out);
    return out.length();
  }

  @Benchmark
  public Object copy() {
    return paneSerializer.copy(pane);
  }

  /** An open pane encoded to be read in place (the serializer does not matter). */
  @Benchmark
  public FrozenPane freeze() {
    return FrozenPane.of(open, paneBytes);
  }

  /** A frozen pane decoded to take a call (the serializer does not matter). */
  @Benchmark
  public Pane thaw() {
    return ((FrozenPane) frozen).thaw(paneBytes);
  }
}
