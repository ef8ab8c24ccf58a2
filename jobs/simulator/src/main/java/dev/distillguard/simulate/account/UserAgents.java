package dev.distillguard.simulate.account;

import java.util.List;
import java.util.SplittableRandom;

/** User-Agent strings: what real browsers and the official SDKs send, and what campaign scripts send. */
public final class UserAgents {

  private static final List<String> BROWSERS = List.of(
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36 Edg/125.0.0.0",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
      "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
      "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
      "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Mobile Safari/537.36");

  private static final List<String> OFFICIAL_SDKS = List.of(
      "nova-sdk-python/1.52.0", "nova-sdk-python/1.51.2", "nova-sdk-python/1.48.0",
      "nova-sdk-node/4.71.1", "nova-sdk-node/4.69.0", "nova-sdk-go/0.9.3", "nova-sdk-java/2.14.0",
      "nova-cli/0.14.2");

  /** What campaign scripts send: bare HTTP libraries, or an SDK release far behind the current one. */
  private static final List<String> SCRIPTED_CLIENTS = List.of(
      "python-requests/2.31.0", "python-httpx/0.27.0", "aiohttp/3.9.5", "Go-http-client/2.0",
      "curl/8.5.0", "nova-sdk-python/1.12.0", "okhttp/4.12.0");

  private UserAgents() {}

  public static String browser(SplittableRandom rng) {
    return BROWSERS.get(rng.nextInt(BROWSERS.size()));
  }

  public static String officialSdk(SplittableRandom rng) {
    return OFFICIAL_SDKS.get(rng.nextInt(OFFICIAL_SDKS.size()));
  }

  /** How many distinct scripted client strings there are to choose from. */
  public static int scriptedClientCount() {
    return SCRIPTED_CLIENTS.size();
  }

  public static String scriptedClient(SplittableRandom rng) {
    return SCRIPTED_CLIENTS.get(rng.nextInt(SCRIPTED_CLIENTS.size()));
  }
}
