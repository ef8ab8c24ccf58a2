package dev.distillguard.detector.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {

  @ParameterizedTest
  @CsvSource({
      "10.0.0.0/8, 10.20.30.0/24, true",
      "10.0.0.0/8, 11.0.0.0/24, false",
      "203.0.113.0/24, 203.0.113.0/24, true",
      "203.0.113.0/24, 203.0.112.0/20, false",
      "2001:db8::/32, 2001:db8:1234::/48, true",
      "2001:db8::/32, 2001:db9::/48, false",
      "0.0.0.0/0, 192.0.2.0/24, true",
      "0.0.0.0/0, 2001:db8::/48, false"})
  void containsNetworksOfTheSameFamilyWithinIt(String network, String subnet, boolean inside) {
    assertThat(Cidr.parse(network).contains(Cidr.parse(subnet))).isEqualTo(inside);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.1/8", "10.0.0.0", "10.0.0.0/33", "010.0.0.0/8", "256.0.0.0/8", "example.com/24",
      "fe80::1%eth0/64", "10.0.0.0/x", "::/129"})
  void refusesWhatIsNotALiteralNetwork(String text) {
    assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }
}
