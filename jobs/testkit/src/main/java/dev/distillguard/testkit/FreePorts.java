package dev.distillguard.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Listening ports for processes a test starts (brokers, JobManagers, metrics endpoints).
 *
 * <p>A port is picked free well before the process that gets it binds it: a broker formats its storage
 * first, a cluster starts after its broker. A port the kernel hands out for {@code new ServerSocket(0)}
 * lies in its ephemeral range, the same range it draws the local ports of outgoing connections from, so
 * any client connection made in between (a Kafka client, the broker's own controller link) can take it,
 * and the process then fails to bind (seen in CI: a JobManager's REST endpoint).
 * Ports are therefore picked below the ephemeral range, where no outgoing connection lands, and never
 * twice by one JVM.
 */
public final class FreePorts {

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /** A port free now, below the kernel's ephemeral range, not handed out before. */
  public static int pick() {
    return pickBelow(ephemeralLow());
  }

  /**
   * A port in [10000, {@code limit}) free now and not handed out before; the kernel's choice, still never
   * twice, when there is no room below {@code limit} or no free port was found there.
   */
  static synchronized int pickBelow(int limit) {
    if (limit - LOWEST >= 1_000) {
      for (int attempt = 0; attempt < 200; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(LOWEST, limit);
        if (!HANDED_OUT.contains(port) && bindable(port)) {
          HANDED_OUT.add(port);
          return port;
        }
      }
    }
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = kernelChoice();
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port found");
  }

  /** The first port of the kernel's ephemeral range; Linux's default where it cannot be read. */
  static int ephemeralLow() {
    try {
      // Read by line: procfs reports a size of 0, and Files.readString returned a truncated "3".
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      return Integer.parseInt(range[0]);
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(false);
      socket.bind(new InetSocketAddress(port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int kernelChoice() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
