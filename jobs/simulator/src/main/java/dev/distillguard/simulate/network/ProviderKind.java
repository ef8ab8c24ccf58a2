package dev.distillguard.simulate.network;

/** What kind of network an autonomous system is, which decides who sends traffic from it. */
public enum ProviderKind {
  /** Home broadband and mobile: households, and the exit nodes of residential proxy services. */
  RESIDENTIAL,
  /** Data centres and clouds: servers, API resellers, datacenter proxies. */
  HOSTING,
  /** A company's own network behind its NAT gateways. */
  ENTERPRISE,
  /** A university or research network. */
  EDUCATION
}
