package dev.distillguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

  @Test
  void picksDistinctPortsThatCanBeBound() throws Exception {
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = FreePorts.pick();
      assertThat(picked.add(port)).as("port %d handed out twice", port).isTrue();
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(port));
      }
    }
  }

  @Test
  void onLinuxPicksBelowTheEphemeralRangeOutgoingConnectionsDrawFrom() throws Exception {
    assumeTrue(Files.isReadable(EPHEMERAL_RANGE), "no " + EPHEMERAL_RANGE + " on this system");
    int ephemeralLow = Integer.parseInt(Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+")[0]);
    assumeTrue(ephemeralLow > 11_000, "ephemeral range starts at " + ephemeralLow);
    for (int i = 0; i < 50; i++) {
      assertThat(FreePorts.pick()).isBetween(10_000, ephemeralLow - 1);
    }
  }
}
