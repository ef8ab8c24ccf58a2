package dev.distillguard.detector.features;

import dev.distillguard.detector.ingest.Calls;
import dev.distillguard.detector.model.CallEvent;
import org.apache.flink.api.common.functions.FlatMapFunction;
import org.apache.flink.util.Collector;

/**
 * One copy of each call per LSH band, keyed by that band, so near-duplicate prompts meet: the template
 * keys' input in a BATCH backfill, where calls come sorted by account and {@link TemplatePaneCombiner}
 * would find nothing to combine.
 */
public final class TemplateFanOut implements FlatMapFunction<CallEvent, CallEvent> {

  private static final long serialVersionUID = 1L;

  private final TemplateBands bands;

  public TemplateFanOut(TemplateBands bands) {
    this.bands = bands;
  }

  @Override
  public void flatMap(CallEvent call, Collector<CallEvent> out) {
    for (int band = 0; band < bands.bands(); band++) {
      CallEvent copy = Calls.withTemplateKey(call, bands.key(call.getSimhash(), band));
      out.collect(copy);
    }
  }
}
