package dev.distillguard.simulate.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NetworkTest {

  private final Internet internet = Internet.standard();

  @Test
  void providersOwnDisjointPublicSpaceUnderUniqueAsns() {
    Set<Integer> slash16s = new HashSet<>();
    Set<Integer> asns = new HashSet<>();
    for (ProviderKind kind : ProviderKind.values()) {
      assertThat(internet.providers(kind)).isNotEmpty();
      for (Provider provider : internet.providers(kind)) {
        assertThat(asns.add(provider.asn())).as("unique ASN %s", provider).isTrue();
        assertThat(provider.country()).matches("[A-Z]{2}");
        for (int slash16 : provider.slash16s()) {
          assertThat(slash16s.add(slash16)).as("disjoint /16 of %s", provider).isTrue();
          assertThat(AddressText.isPublicSlash16(slash16 >>> 8, slash16 & 0xff)).isTrue();
        }
      }
    }
    assertThat(Internet.generate(1).providers(ProviderKind.HOSTING).get(0).asn())
        .isEqualTo(Internet.generate(1).providers(ProviderKind.HOSTING).get(0).asn());
  }

  @Test
  void privateAndReservedSpaceIsNeverPublic() {
    int[][] reserved = {{0, 1}, {10, 0}, {100, 64}, {127, 0}, {169, 254}, {172, 16}, {172, 31}, {192, 168},
        {192, 0}, {198, 18}, {198, 51}, {203, 0}, {224, 0}, {240, 0}, {255, 255}};
    for (int[] r : reserved) {
      assertThat(AddressText.isPublicSlash16(r[0], r[1])).as("%d.%d", r[0], r[1]).isFalse();
    }
    assertThat(AddressText.isPublicSlash16(8, 8)).isTrue();
    assertThat(AddressText.isPublicSlash16(172, 32)).isTrue();
  }

  @Test
  void addressesAreFormattedAsTheGatewayLogsThem() {
    assertThat(AddressText.ipv4(0xC0A80101)).isEqualTo("192.168.1.1");
    assertThat(AddressText.ipv4(0x08080808)).isEqualTo("8.8.8.8");
    assertThat(AddressText.ipv6(0x2a02181000000000L, 0x0000000000000001L)).isEqualTo("2a02:1810::1");
    assertThat(AddressText.ipv6(0x2a0218100d2b9f00L, 0x0abc00000000ef01L)).isEqualTo("2a02:1810:d2b:9f00:abc::ef01");
    assertThat(AddressText.ipv6(0x2600000000010000L, 0x0000000100000001L)).isEqualTo("2600:0:1::1:0:1");
  }

  @Test
  void homeUsersKeepTheirAddressWhileProxiesRotate() {
    SplittableRandom rng = new SplittableRandom(1);
    AddressSource home = AddressPlans.homeBroadband().prepare(internet, rng).forAccount(rng);
    Set<String> homeAddresses = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      homeAddresses.add(home.next(rng).ip());
    }
    assertThat(homeAddresses).hasSizeLessThanOrEqualTo(3);

    AddressSource proxy = AddressPlans.rotatingProxyPool(500, 8, 5).prepare(internet, rng).forAccount(rng);
    Set<String> subnets = new HashSet<>();
    Set<Integer> asns = new HashSet<>();
    Set<String> countries = new HashSet<>();
    for (int i = 0; i < 2_000; i++) {
      ClientAddress address = proxy.next(rng);
      subnets.add(address.ip().substring(0, address.ip().lastIndexOf('.')));
      asns.add(address.asn());
      countries.add(address.country());
    }
    assertThat(subnets).hasSizeBetween(400, 500);
    assertThat(asns).hasSize(8);
    assertThat(countries).hasSizeGreaterThanOrEqualTo(5);
  }

  @Test
  void sharedPlansSaySo() {
    assertThat(AddressPlans.homeBroadband().shared()).isFalse();
    assertThat(AddressPlans.serverBlock(2).shared()).isFalse();
    assertThat(AddressPlans.corporateNat(6, 2).shared()).isTrue();
    assertThat(AddressPlans.campusSubnet().shared()).isTrue();
    assertThat(AddressPlans.egressPool(6, 4, 2).shared()).isTrue();
    assertThat(AddressPlans.rotatingProxyPool(10, 2, 2).shared()).isTrue();
    assertThat(AddressPlans.residentialRotation().shared()).isTrue();
  }
}
