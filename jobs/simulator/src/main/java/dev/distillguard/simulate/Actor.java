package dev.distillguard.simulate;

import dev.distillguard.contract.ApiCall;
import dev.distillguard.simulate.account.Account;
import dev.distillguard.simulate.account.Ids;
import dev.distillguard.simulate.network.AddressSource;
import dev.distillguard.simulate.network.ClientAddress;
import dev.distillguard.simulate.prompt.Prompt;
import dev.distillguard.simulate.prompt.PromptSource;
import dev.distillguard.simulate.prompt.TokenCounts;
import dev.distillguard.simulate.timing.ArrivalProcess;
import java.time.Instant;
import java.util.SplittableRandom;
import java.util.UUID;

/** One account generating its calls in time order, with its own random stream. */
final class Actor {

  /** Breaks ties between actors whose next calls share a millisecond, so the merge order is fixed. */
  final long order;
  private final Label label;
  private final Account account;
  private final AddressSource addresses;
  private final PromptSource prompts;
  private final ArrivalProcess arrivals;
  private final ModelChoice models;
  private final ModelLineup lineup;
  private final StatusCodes statusCodes;
  private final SplittableRandom rng;
  private final long requestIdHigh;
  private final long requestIdSalt;
  private long sequence;
  private long nextMillis;

  /**
   * @param requestIdHigh the upper half of this actor's request ids, distinct from every other actor's
   */
  Actor(long order, Label label, Account account, AddressSource addresses, PromptSource prompts,
      ArrivalProcess arrivals, ModelChoice models, ModelLineup lineup, StatusCodes statusCodes,
      SplittableRandom rng, long requestIdHigh) {
    this.order = order;
    this.label = label;
    this.account = account;
    this.addresses = addresses;
    this.prompts = prompts;
    this.arrivals = arrivals;
    this.models = models;
    this.lineup = lineup;
    this.statusCodes = statusCodes;
    this.rng = rng;
    this.requestIdHigh = requestIdHigh;
    this.requestIdSalt = rng.nextLong();
    this.nextMillis = arrivals.next(rng);
  }

  /** Event time of the next call, or {@link ArrivalProcess#END} when the account is done. */
  long nextMillis() {
    return nextMillis;
  }

  /** The call due at {@link #nextMillis()}; advances to the one after. */
  LabelledCall emit() {
    long time = nextMillis;
    ClientAddress address = addresses.next(rng);
    Prompt prompt = prompts.next(rng);
    int status = statusCodes.draw(rng);
    int completionTokens = status == 200
        ? TokenCounts.completionTokens(prompt.capability(), prompt.cotElicitation(), rng)
        : 0;
    // The low half runs the sequence number through a bijective mix: unique per actor, random-looking.
    String requestId = new UUID(requestIdHigh, Ids.mix(requestIdSalt + sequence++))
        .toString();
    ApiCall call = new ApiCall(requestId, Instant.ofEpochMilli(time), account.accountId(), account.orgId(),
        account.apiKeyId(), address.ip(), address.asn(), address.country(), account.createdAt(),
        account.paymentFingerprint(), account.userAgent(),
        models.model(time, prompt.capability(), lineup, rng),
        TokenCounts.promptTokens(prompt.words(), rng), completionTokens, prompt.simHash(), prompt.capability(),
        prompt.cotElicitation(), status);
    nextMillis = arrivals.next(rng);
    return new LabelledCall(call, label);
  }
}
