package dev.distillguard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

class FreePortsTest {

  @Test
  void readsWhereTheKernelsEphemeralRangeStarts() throws Exception {
    // The suite runs on Linux (the broker and cluster scripts need it), so the range is there to read.
    String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
    assertThat(FreePorts.ephemeralLow()).isEqualTo(Integer.parseInt(range.trim().split("\\s+")[0]));
  }

  @Test
  void picksDistinctBindablePortsBelowTheLimit() throws Exception {
    Set<Integer> picked = assertDistinctAndBindable(() -> FreePorts.pickBelow(20_000));
    assertThat(picked).allSatisfy(port -> assertThat(port).isBetween(10_000, 19_999));
  }

  @Test
  void picksThroughTheKernelWhenThereIsNoRoomBelowTheLimit() throws Exception {
    assertDistinctAndBindable(() -> FreePorts.pickBelow(10_500));
  }

  @Test
  void picksDistinctBindablePorts() throws Exception {
    assertDistinctAndBindable(FreePorts::pick);
  }

  private static Set<Integer> assertDistinctAndBindable(IntSupplier picker) throws Exception {
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = picker.getAsInt();
      assertThat(picked.add(port)).as("port %d handed out twice", port).isTrue();
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(port));
      }
    }
    return picked;
  }
}
