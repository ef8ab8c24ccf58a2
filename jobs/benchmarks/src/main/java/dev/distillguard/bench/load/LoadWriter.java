package dev.distillguard.bench.load;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.simulate.KafkaTrafficWriter;
import dev.distillguard.testkit.LocalKafkaBroker;
import java.io.PrintStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Puts a {@link GatewayLoad} on the gateway topic, as fast as the broker takes it or at a set pace. */
public final class LoadWriter {

  private LoadWriter() {}

  /** Creates {@code topic} with {@code partitions} and writes every call of {@code load}, reporting progress. */
  public static void writeAll(LocalKafkaBroker broker, String topic, int partitions, GatewayLoad load,
      PrintStream out) {
    broker.createTopic(topic, partitions);
    long started = System.nanoTime();
    long reported = started;
    long written = 0;
    try (KafkaTrafficWriter writer = new KafkaTrafficWriter(broker.bootstrapServers(), topic)) {
      for (Iterator<ApiCall> calls = load.calls(); calls.hasNext(); ) {
        writer.write(calls.next());
        written++;
        if ((written & 0xFFFF) == 0 && System.nanoTime() - reported > TimeUnit.SECONDS.toNanos(10)) {
          reported = System.nanoTime();
          out.printf(Locale.ROOT, "  written %,d of %,d calls%n", written, load.records());
        }
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    out.printf(Locale.ROOT, "wrote %,d calls (%s of event time) to %s in %.1f s (%,.0f calls/s)%n", written,
        load.span(), topic, seconds, written / seconds);
  }

  /**
   * Writes {@code load} in real time: each call when the wall clock reaches its event time, so event time
   * is the gateway's receive time, as in production. Returns how far behind schedule the writer fell at
   * worst, in milliseconds, so a reader of the figures can see the load was really offered.
   *
   * @param sent filled as calls go out: for the first call of each second of event time, its event time
   *     and the wall-clock time it was handed to the producer, so a reader can tell when the job could
   *     first have seen a given event time
   */
  public static long writePaced(String bootstrapServers, String topic, GatewayLoad load,
      ConcurrentNavigableMap<Long, Long> sent) {
    long worstLagMillis = 0;
    long lastSecond = Long.MIN_VALUE;
    try (KafkaTrafficWriter writer = new KafkaTrafficWriter(bootstrapServers, topic)) {
      for (Iterator<ApiCall> calls = load.calls(); calls.hasNext(); ) {
        ApiCall call = calls.next();
        long due = call.getEventTime().toEpochMilli();
        long now = System.currentTimeMillis();
        if (due > now) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(due - now));
        } else {
          worstLagMillis = Math.max(worstLagMillis, now - due);
        }
        writer.write(call);
        long second = Math.floorDiv(due, 1_000);
        if (second != lastSecond) {
          lastSecond = second;
          sent.put(due, System.currentTimeMillis());
        }
      }
    }
    return worstLagMillis;
  }
}
