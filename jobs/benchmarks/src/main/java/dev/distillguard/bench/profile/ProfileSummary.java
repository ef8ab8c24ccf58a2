package dev.distillguard.bench.profile;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Execution samples of a Java Flight Recorder file added up by thread, and for chosen threads by method:
 * how the shares in docs/performance.md's profiles were counted. A subtask's threads count as one thread
 * (Flink names them "operator (1/2)#0", "operator (2/2)#0"). A method counts once per sample however often
 * it recurs in the stack (inclusive), and as the sample's top frame (self). Samples cover Java code only:
 * a thread in native code or waiting is not sampled, so {@code bin/thread-cpu} is the check on CPU.
 */
public final class ProfileSummary {

  private static final String USAGE =
      "usage: bin/bench profile FILE.jfr [--thread SUBSTRING] [--top N]";
  private static final Pattern SUBTASK = Pattern.compile("\\s*\\(\\d+/\\d+\\)(#\\d+)?");

  /** Sample counts of one thread, by method. */
  public record ThreadSamples(String thread, long samples, Map<String, Long> inclusive, Map<String, Long> self) {}

  /** All samples of a recording, by thread, most sampled first. */
  public record Summary(long samples, List<ThreadSamples> threads) {}

  private ProfileSummary() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0 || args[0].startsWith("--")) {
      throw new IllegalArgumentException(USAGE);
    }
    Path file = Path.of(args[0]);
    String thread = null;
    int top = 30;
    for (int i = 1; i < args.length; i++) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value; " + USAGE);
      }
      switch (args[i]) {
        case "--thread" -> thread = args[++i];
        case "--top" -> {
          top = Integer.parseInt(args[++i]);
          if (top < 1) {
            throw new IllegalArgumentException("--top must be at least 1, was " + top);
          }
        }
        default -> throw new IllegalArgumentException("unexpected argument " + args[i] + "; " + USAGE);
      }
    }
    print(summarize(file), thread, top, System.out);
  }

  /** Flink's subtask suffix taken off, so the subtasks of one operator add up. */
  static String threadName(String name) {
    return SUBTASK.matcher(name).replaceAll("");
  }

  /** {@code Class.method}, the class without its package, as the profiles in the docs name frames. */
  static String frameName(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    if (method == null) {
      return "(unknown)";
    }
    String type = method.getType() == null ? "?" : method.getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + method.getName();
  }

  private static boolean hidden(RecordedFrame frame) {
    return frame.getMethod() != null && frame.getMethod().isHidden();
  }

  public static Summary summarize(Path recording) throws IOException {
    if (!Files.isRegularFile(recording)) {
      throw new IllegalArgumentException("no recording at " + recording.toAbsolutePath());
    }
    Map<String, long[]> counts = new HashMap<>();
    Map<String, Map<String, Long>> inclusive = new HashMap<>();
    Map<String, Map<String, Long>> self = new HashMap<>();
    long samples = 0;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        samples++;
        RecordedThread sampled = event.getThread("sampledThread");
        String name = threadName(sampled == null || sampled.getJavaName() == null ? "?" : sampled.getJavaName());
        counts.computeIfAbsent(name, n -> new long[1])[0]++;
        RecordedStackTrace stack = event.getStackTrace();
        if (stack == null || stack.getFrames().isEmpty()) {
          continue;
        }
        // Hidden frames (lambda forms, a lambda's generated class) are left out, as `jfr print` leaves them.
        List<RecordedFrame> frames = stack.getFrames().stream().filter(f -> !hidden(f)).toList();
        if (frames.isEmpty()) {
          continue;
        }
        self.computeIfAbsent(name, n -> new HashMap<>()).merge(frameName(frames.get(0)), 1L, Long::sum);
        Map<String, Long> methods = inclusive.computeIfAbsent(name, n -> new HashMap<>());
        Set<String> seen = new HashSet<>();
        for (RecordedFrame frame : frames) {
          String method = frameName(frame);
          if (seen.add(method)) {
            methods.merge(method, 1L, Long::sum);
          }
        }
      }
    }
    List<ThreadSamples> threads = new ArrayList<>();
    counts.forEach((name, count) -> threads.add(new ThreadSamples(name, count[0],
        inclusive.getOrDefault(name, Map.of()), self.getOrDefault(name, Map.of()))));
    threads.sort((a, b) -> Long.compare(b.samples(), a.samples()));
    return new Summary(samples, threads);
  }

  static void print(Summary summary, String threadFilter, int top, PrintStream out) {
    out.printf(Locale.ROOT, "%,d execution samples%n", summary.samples());
    List<ThreadSamples> threads = summary.threads();
    for (ThreadSamples thread : threads.subList(0, Math.min(top, threads.size()))) {
      out.printf(Locale.ROOT, "%8d %5.1f%%  %s%n", thread.samples(), share(thread.samples(), summary.samples()),
          thread.thread());
    }
    if (threads.size() > top) {
      long rest = threads.subList(top, threads.size()).stream().mapToLong(ThreadSamples::samples).sum();
      out.printf(Locale.ROOT, "%8d %5.1f%%  (%d more threads)%n", rest, share(rest, summary.samples()),
          threads.size() - top);
    }
    if (threadFilter == null) {
      return;
    }
    for (ThreadSamples thread : summary.threads()) {
      if (!thread.thread().contains(threadFilter)) {
        continue;
      }
      out.printf(Locale.ROOT, "%n%s: %,d samples; methods in the stack (inclusive), then on top (self), shares of"
          + " the thread's samples%n", thread.thread(), thread.samples());
      printTop(thread.inclusive(), thread.samples(), top, "inclusive", out);
      printTop(thread.self(), thread.samples(), top, "self", out);
    }
  }

  private static void printTop(Map<String, Long> methods, long samples, int top, String label, PrintStream out) {
    out.println("  " + label + ":");
    methods.entrySet().stream()
        .sorted((a, b) -> b.getValue().compareTo(a.getValue()) != 0 ? b.getValue().compareTo(a.getValue())
            : a.getKey().compareTo(b.getKey()))
        .limit(top)
        .forEach(e -> out.printf(Locale.ROOT, "  %8d %5.1f%%  %s%n", e.getValue(), share(e.getValue(), samples),
            e.getKey()));
  }

  private static double share(long part, long whole) {
    return whole == 0 ? 0.0 : 100.0 * part / whole;
  }
}
