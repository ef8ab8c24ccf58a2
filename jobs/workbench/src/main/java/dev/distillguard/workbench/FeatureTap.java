package dev.distillguard.workbench;

import dev.distillguard.detector.model.WindowFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Collects the window features a local run reports, for calibration. Only for the local environment:
 * the job runs in this JVM, so the writers and the reader share the static queue.
 */
public final class FeatureTap implements Sink<WindowFeatures> {

  private static final long serialVersionUID = 1L;
  private static final Map<String, Queue<WindowFeatures>> TAPS = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  public FeatureTap() {
    TAPS.put(id, new ConcurrentLinkedQueue<>());
  }

  /** Everything collected so far; the tap is closed afterwards. */
  public List<WindowFeatures> drain() {
    Queue<WindowFeatures> queue = TAPS.remove(id);
    return queue == null ? List.of() : new ArrayList<>(queue);
  }

  @Override
  public SinkWriter<WindowFeatures> createWriter(WriterInitContext context) {
    Queue<WindowFeatures> queue = TAPS.get(id);
    return new SinkWriter<>() {
      @Override
      public void write(WindowFeatures features, Context context) {
        queue.add(features);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
