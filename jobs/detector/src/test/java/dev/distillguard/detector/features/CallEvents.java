package dev.distillguard.detector.features;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/** CallEvents built field by field, and panes built from them the way the feature operator builds them. */
final class CallEvents {

  static final long MINUTE = 60_000;
  static final long DAY = 24 * 60 * MINUTE;
  /** A pane-aligned start time, so minute n of the test is pane n. */
  static final long T0 = 1_000_000 * MINUTE;

  private CallEvents() {}

  /** A fluent CallEvent with neutral values: CHAT, no CoT, 100/400 tokens, one subnet. */
  static Builder call(String account, long eventTime) {
    return new Builder(account, eventTime);
  }

  static final class Builder {
    private final CallEvent e = new CallEvent();

    private Builder(String account, long eventTime) {
      e.setEventTime(eventTime);
      e.setRank(mix(account.hashCode() * 31L + eventTime));
      e.setAccountId(account);
      e.setOrgId(null);
      e.setSubnet("203.0.113.0/24");
      e.setAsn(64500);
      e.setCountry("NL");
      e.setAccountAgeMs(null);
      e.setPromptTokens(100);
      e.setCompletionTokens(400);
      e.setSimhash(0x1234_5678_9ABC_DEF0L);
      e.setCapability(Capability.CHAT.ordinal());
      e.setCot(false);
    }

    Builder rank(long rank) {
      e.setRank(rank);
      return this;
    }

    Builder subnet(String subnet) {
      e.setSubnet(subnet);
      return this;
    }

    Builder asn(Integer asn) {
      e.setAsn(asn);
      return this;
    }

    Builder country(String country) {
      e.setCountry(country);
      return this;
    }

    Builder ageMs(Long age) {
      e.setAccountAgeMs(age);
      return this;
    }

    Builder tokens(int prompt, int completion) {
      e.setPromptTokens(prompt);
      e.setCompletionTokens(completion);
      return this;
    }

    Builder simhash(long simhash) {
      e.setSimhash(simhash);
      return this;
    }

    Builder capability(Capability capability) {
      e.setCapability(capability.ordinal());
      return this;
    }

    Builder cot(boolean cot) {
      e.setCot(cot);
      return this;
    }

    CallEvent build() {
      return e;
    }
  }

  /** The panes of one key, the calls added in the given order. */
  static List<Pane> panes(List<CallEvent> calls, KeySpace space, FeatureSettings settings) {
    return panes(calls, space, settings, Panes.MemberMaps.SORTED_ARRAYS);
  }

  static List<Pane> panes(List<CallEvent> calls, KeySpace space, FeatureSettings settings, Panes.MemberMaps maps) {
    TreeMap<Long, Pane> panes = new TreeMap<>();
    long slide = settings.slideMillis();
    for (CallEvent call : calls) {
      long paneStart = Math.floorDiv(call.getEventTime(), slide) * slide;
      Panes.add(panes.computeIfAbsent(paneStart, start -> Panes.empty(start, maps)), call, space, settings);
    }
    return new ArrayList<>(panes.values());
  }

  /** Calls as a template band key receives them from {@link TemplateBatcher}. */
  static CallBatch batch(List<CallEvent> calls) {
    RecordBytes writer = new RecordBytes();
    CallBatch.Builder batch = new CallBatch.Builder();
    for (CallEvent call : calls) {
      var encoded = writer.encode(call);
      batch.add(encoded.getSharedBuffer(), encoded.length());
    }
    return batch.build();
  }

  /** Panes frozen, as the feature operator freezes a window's panes before it computes the window. */
  static List<FrozenPane> frozen(List<Pane> panes) {
    RecordBytes writer = new RecordBytes();
    List<FrozenPane> frozen = new ArrayList<>(panes.size());
    for (Pane pane : panes) {
      frozen.add(FrozenPane.of(pane, writer));
    }
    return frozen;
  }

  static List<Pane> panes(List<CallEvent> calls, KeySpace space) {
    return panes(calls, space, FeatureSettings.defaults());
  }

  static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
