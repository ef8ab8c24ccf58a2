package dev.distillguard.detector.ingest;

import dev.distillguard.contract.DeadLetter;
import dev.distillguard.detector.model.CallEvent;

/**
 * What the source yields for one Kafka record: the usable call, or the dead letter saying why not.
 * A Flink POJO of two Avro records, so it never falls back to Kryo.
 */
public class Ingested {

  public CallEvent event;
  public DeadLetter deadLetter;

  public Ingested() {}

  public static Ingested of(CallEvent event) {
    Ingested ingested = new Ingested();
    ingested.event = event;
    return ingested;
  }

  public static Ingested of(DeadLetter deadLetter) {
    Ingested ingested = new Ingested();
    ingested.deadLetter = deadLetter;
    return ingested;
  }
}
