package dev.distillguard.detector.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SubnetParserTest {

  private final SubnetParser parser = new SubnetParser(24, 48);

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "203.0.113.77, 203.0.113.0/24",
      "0.0.0.0, 0.0.0.0/24",
      "255.255.255.255, 255.255.255.0/24",
      "10.1.2.3, 10.1.2.0/24",
      "' 198.51.100.9 ', 198.51.100.0/24",
      "::ffff:198.51.100.7, 198.51.100.0/24",
      "::FFFF:c633:6407, 198.51.100.0/24",
      "2001:db8:1234:5678::1, 2001:db8:1234::/48",
      "2001:0DB8:0000:0000:0000:0000:0000:0001, 2001:db8::/48",
      "[2a02:1810:4d00:1::7], 2a02:1810:4d00::/48",
      "fe80::1%eth0, fe80::/48",
      "::1, ::/48",
      "::, ::/48",
      "1:2:3:4:5:6:7:8, 1:2:3::/48",
      "1::, 1::/48",
      "::2:3:4:5:6:7:8, 0:2:3::/48",
  })
  void canonicalSubnets(String address, String subnet) {
    assertThat(parser.subnetOf(address)).isEqualTo(subnet);
  }

  @Test
  void prefixesAreConfigurable() {
    SubnetParser wide = new SubnetParser(16, 32);
    assertThat(wide.subnetOf("203.0.113.77")).isEqualTo("203.0.0.0/16");
    assertThat(wide.subnetOf("2001:db8:1234::1")).isEqualTo("2001:db8::/32");
    assertThat(new SubnetParser(32, 128).subnetOf("2001:db8::1")).isEqualTo("2001:db8::1/128");
    assertThat(new SubnetParser(32, 64).subnetOf("2001:db8:0:1:0:0:0:1")).isEqualTo("2001:db8:0:1::/64");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.-4", "01.2.3.4", "1.2.3.04",
      "1..2.3", "1.2.3.4.", "a.b.c.d", "example.com", "1:2:3:4:5:6:7:8:9", "1::2::3", ":1:2", "1:2:",
      "12345::1", "g::1", "::ffff:1.2.3.256", "1:2:3:4:5:6:7:1.2.3.4"})
  void rejectsWhatIsNotAnAddress(String address) {
    assertThatThrownBy(() -> parser.subnetOf(address))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client_ip");
  }

  @Test
  void leadingZerosAreRejectedWithTheReason() {
    assertThatThrownBy(() -> parser.subnetOf("010.0.0.1")).hasMessageContaining("leading zero");
  }

  @Test
  void absurdLengthIsRejectedBeforeParsing() {
    assertThatThrownBy(() -> parser.subnetOf("1".repeat(10_000))).hasMessageContaining("characters long");
  }

  @Test
  void prefixesAreValidated() {
    assertThatThrownBy(() -> new SubnetParser(4, 48)).hasMessageContaining("IPv4 prefix");
    assertThatThrownBy(() -> new SubnetParser(24, 200)).hasMessageContaining("IPv6 prefix");
  }
}
