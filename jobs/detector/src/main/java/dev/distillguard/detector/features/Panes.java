package dev.distillguard.detector.features;

import dev.distillguard.contract.Capability;
import dev.distillguard.detector.model.CallEvent;
import dev.distillguard.detector.model.KeyIndex;
import dev.distillguard.detector.model.KeySpace;
import dev.distillguard.detector.model.Pane;
import dev.distillguard.detector.model.PaneTally;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;

/**
 * Adds one call to the pane of its key. Every update is order-independent: sums, bottom-k samples,
 * least-rank representatives and capped sorted arrivals all end the same whatever order the calls of a
 * pane arrive in.
 */
public final class Panes {

  static final int CAPABILITIES = Capability.values().length;

  /** Index of each member set in {@code Pane.member_levels}. */
  static final int ACCOUNTS = 0;
  static final int SUBNETS = 1;
  static final int ASNS = 2;
  static final int COUNTRIES = 3;

  // A pane's int and long arrays are Avro's primitive-backed lists, as Avro's reader makes them. Boxed, each
  // element was an object of its own, and reading them chased a pointer per element into panes long gone
  // cold: a profile showed that as much of merging and of a window's sample.
  private static final Schema INT_ARRAY = Pane.SCHEMA$.getField("capabilities").schema();
  private static final Schema LONG_ARRAY = Pane.SCHEMA$.getField("sample_rank").schema();

  private Panes() {}

  /**
   * How a pane keeps its member maps. Every pane update is the same on either; what differs is what a
   * member costs to hold and to insert.
   */
  public enum MemberMaps {
    /**
     * {@link SortedArrayMap}s: two array slots per member, for panes held in heap state for a whole window.
     * An insertion shifts the members after it, so filling a map of n members one by one costs n^2 / 4
     * moves: fine for the tens a band key's pane holds per minute at hundreds of calls per second, not for
     * the thousands it holds at tens of thousands.
     */
    SORTED_ARRAYS,
    /**
     * Hash maps: constant-time insertion, a node object per member. For panes that live briefly or alone:
     * a template pane while its pending calls are folded into it, and a BATCH backfill's, whose state
     * backend holds the current key's panes only. A 2M-call backfill at 20,000 calls per event-time
     * second spent a quarter of its template operator inserting into sorted arrays (docs/performance.md,
     * "Changes measured").
     */
    HASHED;

    <V> Map<String, V> create() {
      return create(0);
    }

    <V> Map<String, V> create(int expectedSize) {
      return this == SORTED_ARRAYS
          ? new SortedArrayMap<>(expectedSize)
          : new HashMap<>(Math.max(16, expectedSize * 4 / 3 + 1));
    }
  }

  /** An empty pane with sorted-array member maps, to be held in state. */
  public static Pane empty(long start) {
    return empty(start, MemberMaps.SORTED_ARRAYS);
  }

  public static Pane empty(long start, MemberMaps maps) {
    Pane pane = new Pane();
    pane.setStart(start);
    pane.setCapabilities(zeros(CAPABILITIES));
    pane.setOffsets(ints(0));
    pane.setSampleRank(longs(0));
    pane.setSampleSimhash(longs(0));
    pane.setAccounts(maps.create());
    pane.setYoungAccounts(maps.create());
    pane.setSubnets(maps.create());
    pane.setAsns(maps.create());
    pane.setCountries(maps.create());
    pane.setAccountPayments(maps.create());
    pane.setMemberLevels(zeros(4));
    return pane;
  }

  /**
   * A deep copy of a pane, for the heap state backend's copy-on-write (see
   * {@link dev.distillguard.detector.HandCodedAvroSerializer}). Lists and maps are new, the lists
   * primitive-backed and the maps {@link SortedArrayMap}s whatever they were (a pane restored by another
   * serializer may hold boxed lists and hash maps); map elements are immutable (boxed numbers, strings).
   * The all-fields constructor makes a field added to the schema a compile error here rather than a
   * silently shared or dropped value.
   */
  public static Pane copy(Pane pane) {
    return new Pane(pane.getStart(), pane.getCount(), pane.getPromptTokensSum(), pane.getPromptTokensSq(),
        pane.getCompletionTokensSum(), pane.getCompletionTokensSq(), copyInts(pane.getCapabilities()),
        pane.getCot(), copyInts(pane.getOffsets()), pane.getOffsetsTruncated(),
        copyLongs(pane.getSampleRank()), copyLongs(pane.getSampleSimhash()),
        SortedArrayMap.copyOf(pane.getAccounts()), SortedArrayMap.copyOf(pane.getYoungAccounts()),
        SortedArrayMap.copyOf(pane.getSubnets()), SortedArrayMap.copyOf(pane.getAsns()), pane.getOrgId(),
        SortedArrayMap.copyOf(pane.getCountries()), SortedArrayMap.copyOf(pane.getAccountPayments()),
        pane.getMembersTruncated(),
        copyInts(pane.getMemberLevels()));
  }

  /** An empty int list of a pane, primitive-backed. */
  static PrimitivesArrays.IntArray ints(int capacity) {
    return new PrimitivesArrays.IntArray(capacity, INT_ARRAY);
  }

  /** An empty long list of a pane, primitive-backed. */
  static PrimitivesArrays.LongArray longs(int capacity) {
    return new PrimitivesArrays.LongArray(capacity, LONG_ARRAY);
  }

  private static List<Integer> zeros(int size) {
    PrimitivesArrays.IntArray zeros = ints(size);
    for (int i = 0; i < size; i++) {
      zeros.add(i, 0);
    }
    return zeros;
  }

  private static List<Integer> copyInts(List<Integer> ints) {
    PrimitivesArrays.IntArray copy = ints(ints.size());
    for (int i = 0; i < ints.size(); i++) {
      int value = ints instanceof PrimitivesArrays.IntArray primitive ? primitive.getInt(i) : ints.get(i);
      copy.add(i, value);
    }
    return copy;
  }

  private static List<Long> copyLongs(List<Long> longs) {
    PrimitivesArrays.LongArray copy = longs(longs.size());
    for (int i = 0; i < longs.size(); i++) {
      long value = longs instanceof PrimitivesArrays.LongArray primitive ? primitive.getLong(i) : longs.get(i);
      copy.add(i, value);
    }
    return copy;
  }

  /** A deep copy of a key's index: its tallies are updated in place, so each is copied too. */
  public static KeyIndex copy(KeyIndex index) {
    List<PaneTally> tallies = new ArrayList<>(index.getPanes().size());
    for (PaneTally tally : index.getPanes()) {
      tallies.add(new PaneTally(tally.getStart(), tally.getCount(), tally.getAccounts()));
    }
    return new KeyIndex(tallies, index.getTimer(), index.getTimerReports(), index.getPendingSince());
  }

  public static void add(Pane pane, CallEvent call, KeySpace space, FeatureSettings settings) {
    long paneStart = pane.getStart();
    pane.setCount(pane.getCount() + 1);
    int promptTokens = call.getPromptTokens();
    int completionTokens = call.getCompletionTokens();
    pane.setPromptTokensSum(pane.getPromptTokensSum() + promptTokens);
    pane.setPromptTokensSq(pane.getPromptTokensSq() + (double) promptTokens * promptTokens);
    pane.setCompletionTokensSum(pane.getCompletionTokensSum() + completionTokens);
    pane.setCompletionTokensSq(pane.getCompletionTokensSq() + (double) completionTokens * completionTokens);
    List<Integer> capabilities = pane.getCapabilities();
    int capability = call.getCapability();
    capabilities.set(capability, capabilities.get(capability) + 1);
    if (call.getCot()) {
      pane.setCot(pane.getCot() + 1);
    }
    addToSample(pane.getSampleRank(), pane.getSampleSimhash(), call.getRank(), call.getSimhash(),
        settings.sampleSize());

    long simhash = call.getSimhash();
    if (space == KeySpace.ACCOUNT) {
      addArrival(pane, (int) (call.getEventTime() - paneStart), settings.maxOffsetsPerPane());
      if (call.getOrgId() != null && (pane.getOrgId() == null || call.getOrgId().compareTo(pane.getOrgId()) < 0)) {
        pane.setOrgId(call.getOrgId());
      }
      // An account hopping networks is a rotation signal; keep its subnets, bounded like any member set.
      addMember(pane, SUBNETS, pane.getSubnets(), call.getSubnet(), simhash, settings.maxMembersPerPane());
      return;
    }
    if (addMember(pane, ACCOUNTS, pane.getAccounts(), call.getAccountId(), simhash, settings.maxMembersPerPane())) {
      Long age = call.getAccountAgeMs();
      if (age != null) {
        boolean young = age < settings.youngAccountAge().toMillis();
        pane.getYoungAccounts().merge(call.getAccountId(), young, Boolean::logicalOr);
      }
      String payment = call.getPaymentFingerprint();
      if (payment != null) {
        pane.getAccountPayments().merge(call.getAccountId(), payment, Panes::firstPayment);
      }
    }
    addMember(pane, SUBNETS, pane.getSubnets(), call.getSubnet(), simhash, settings.maxMembersPerPane());
    if (call.getAsn() != null) {
      addMember(pane, ASNS, pane.getAsns(), Integer.toString(call.getAsn()), simhash, settings.maxMembersPerPane());
    }
    if (call.getCountry() != null) {
      addMember(pane, COUNTRIES, pane.getCountries(), call.getCountry(), simhash, settings.maxMembersPerPane());
    }
  }

  /**
   * Records a member with its representative SimHash, the one first in {@link #representativeOrder}.
   * Past {@code cap} members the set becomes a hash sample: the sampling level rises until the members
   * whose hash starts with that many zero bits fit, which is the same set whatever the arrival order.
   * Returns whether the member is in the set.
   */
  static boolean addMember(Pane pane, int kind, Map<String, Long> members, String member, long simhash, int cap) {
    int level = pane.getMemberLevels().get(kind);
    if (!sampled(member, level)) {
      return false;
    }
    Long current = members.get(member);
    if (current == null) {
      members.put(member, simhash);
      level = fitToCap(pane, kind, members, level, cap);
      pane.getMemberLevels().set(kind, level);
      return sampled(member, level);
    }
    if (Long.compareUnsigned(representativeOrder(simhash), representativeOrder(current)) < 0) {
      members.put(member, simhash);
    }
    return true;
  }

  /**
   * Raises a member set's sampling level from {@code level} until it holds at most {@code cap} members,
   * dropping the members (and, for accounts, their ages and payments) the higher level leaves out.
   * Returns the level reached.
   */
  private static int fitToCap(Pane pane, int kind, Map<String, Long> members, int level, int cap) {
    while (members.size() > cap) {
      int raised = ++level;
      pane.setMembersTruncated(true);
      members.keySet().removeIf(m -> !sampled(m, raised));
      if (kind == ACCOUNTS) {
        pane.getYoungAccounts().keySet().removeIf(m -> !sampled(m, raised));
        pane.getAccountPayments().keySet().removeIf(m -> !sampled(m, raised));
      }
    }
    return level;
  }

  /** Of two representative SimHashes of one member, the one first in {@link #representativeOrder}. */
  static Long firstRepresentative(Long a, Long b) {
    return Long.compareUnsigned(representativeOrder(a), representativeOrder(b)) <= 0 ? a : b;
  }

  /** An account's payment fingerprint when it reported several: the least, whatever the order. */
  private static String firstPayment(String a, String b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Start of the pane (slide) a call falls in. */
  static long paneStart(CallEvent call, FeatureSettings settings) {
    return Math.floorDiv(call.getEventTime(), settings.slideMillis()) * settings.slideMillis();
  }

  /** Whether a member set at sampling {@code level} keeps {@code member}; at level 0 (most sets) unhashed. */
  static boolean sampled(String member, int level) {
    return level == 0 || (memberHash(member) >>> (64 - level)) == 0;
  }

  private static long memberHash(String member) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < member.length(); i++) {
      h ^= member.charAt(i);
      h *= 0x100000001b3L;
    }
    return representativeOrder(h);
  }

  /** A fixed pseudo-random order over SimHashes, so the representative does not depend on arrival order. */
  static long representativeOrder(long simhash) {
    long k = simhash;
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }

  /** Keeps the {@code cap} smallest ranks, ascending; ranks compare unsigned. */
  static void addToSample(List<Long> ranks, List<Long> simhashes, long rank, long simhash, int cap) {
    int at = samplePosition(ranks, rank, cap);
    if (at >= 0) {
      insertIntoSample(ranks, simhashes, at, rank, simhash, cap);
    }
  }

  /**
   * Where {@code rank} goes in a sample of at most {@code cap}, or -1 when the sample keeps it out (too
   * large a rank, or the same request delivered twice). Primitive, so that a call the sample turns away,
   * as most are once it is full, boxes nothing.
   */
  private static int samplePosition(List<Long> ranks, long rank, int cap) {
    int size = ranks.size();
    if (size >= cap && Long.compareUnsigned(rank, ranks.get(size - 1)) >= 0) {
      return -1;
    }
    int low = 0;
    int high = size;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (Long.compareUnsigned(ranks.get(mid), rank) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low < size && ranks.get(low) == rank ? -1 : low;
  }

  /** Inserts at a {@link #samplePosition}, and keeps the cap. */
  private static void insertIntoSample(List<Long> ranks, List<Long> simhashes, int at, long rank, long simhash,
      int cap) {
    ranks.add(at, rank);
    simhashes.add(at, simhash);
    if (ranks.size() > cap) {
      ranks.remove(ranks.size() - 1);
      simhashes.remove(simhashes.size() - 1);
    }
  }

  /** Keeps the {@code cap} earliest arrival offsets of the pane, sorted. */
  static void addArrival(Pane pane, int offset, int cap) {
    List<Integer> offsets = pane.getOffsets();
    int size = offsets.size();
    if (size >= cap) {
      pane.setOffsetsTruncated(true);
      if (offset >= offsets.get(size - 1)) {
        return;
      }
    }
    int index = Collections.binarySearch(offsets, offset);
    offsets.add(index >= 0 ? index : -index - 1, offset);
    if (offsets.size() > cap) {
      offsets.remove(offsets.size() - 1);
    }
  }
}
