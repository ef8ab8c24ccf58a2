package dev.distillguard.testkit;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests a real Kafka broker. One broker serves every test class in the JVM
 * (it starts on first use and stops when the test run ends), so tests must use topics of their own.
 *
 * <pre>{@code
 * @RegisterExtension static final RealKafkaExtension KAFKA = new RealKafkaExtension();
 * ... KAFKA.broker().bootstrapServers() ...
 * }</pre>
 */
public final class RealKafkaExtension implements BeforeAllCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(RealKafkaExtension.class);

  private volatile LocalKafkaBroker broker;

  @Override
  public void beforeAll(ExtensionContext context) {
    broker = context.getRoot().getStore(NAMESPACE)
        .getOrComputeIfAbsent("broker", key -> new SharedBroker(LocalKafkaBroker.start()), SharedBroker.class)
        .broker;
  }

  public LocalKafkaBroker broker() {
    if (broker == null) {
      throw new IllegalStateException("the broker starts in beforeAll: register the extension as a static field");
    }
    return broker;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext extension) {
    return parameter.getParameter().getType() == LocalKafkaBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext extension) {
    return broker();
  }

  /** Closed by JUnit when the root context closes, at the end of the run. */
  private record SharedBroker(LocalKafkaBroker broker) implements ExtensionContext.Store.CloseableResource {
    @Override
    public void close() {
      broker.close();
    }
  }
}
