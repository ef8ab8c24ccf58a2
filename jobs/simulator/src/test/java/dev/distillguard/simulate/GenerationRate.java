package dev.distillguard.simulate;

import java.util.List;

/**
 * Measures single-threaded generation speed per catalogue scenario (not a test: run its main). The
 * whole catalogue is generated once at small scale to warm the JIT up, then each scenario is
 * generated twice and the second pass timed.
 *
 * <pre>java -cp ... dev.distillguard.simulate.GenerationRate [scale] [scenario...]</pre>
 */
public final class GenerationRate {

  private GenerationRate() {}

  public static void main(String[] args) {
    double scale = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
    ScenarioCatalogue catalogue = ScenarioCatalogue.standard();
    List<String> names = args.length > 1 ? List.of(args).subList(1, args.length) : catalogue.names();
    count(catalogue.all(2, 0.05, Scenario.DEFAULT_START));
    long totalEvents = 0;
    long totalNanos = 0;
    for (String name : names) {
      Scenario scenario = catalogue.scenario(name, 1, scale, Scenario.DEFAULT_START);
      count(scenario);
      long start = System.nanoTime();
      long events = count(scenario);
      long nanos = System.nanoTime() - start;
      totalEvents += events;
      totalNanos += nanos;
      System.out.printf("%-24s %10d events %8.2f s %10.0f events/s%n", name, events, nanos / 1e9, events / (nanos / 1e9));
    }
    System.out.printf("%-24s %10d events %8.2f s %10.0f events/s%n", "total", totalEvents, totalNanos / 1e9,
        totalEvents / (totalNanos / 1e9));
  }

  private static long count(Scenario scenario) {
    long events = 0;
    long checksum = 0;
    for (LabelledCall call : scenario) {
      checksum += call.call().getPromptSimhash();
      events++;
    }
    if (checksum == 42) {
      System.out.println("(checksum keeps the calls alive)");
    }
    return events;
  }
}
