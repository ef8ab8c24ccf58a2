package dev.distillguard.workbench.ingest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** One scrape of a Prometheus endpoint, in the text exposition format, as Prometheus itself reads it. */
final class PrometheusScrape {

  /** One sample: {@code name{label="value",...} value}. */
  record Sample(String name, Map<String, String> labels, double value) {
    String label(String key) {
      return labels.getOrDefault(key, "");
    }
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final List<Sample> samples;
  final String text;

  private PrometheusScrape(String text) {
    this.text = text;
    this.samples = parse(text);
  }

  static PrometheusScrape of(int port) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(Duration.ofSeconds(10))
            .build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("scrape of port " + port + " answered " + response.statusCode());
    }
    return new PrometheusScrape(response.body());
  }

  /** Samples whose name ends with {@code suffix} (the reporter prefixes the scope) and that match. */
  List<Sample> named(String suffix, Predicate<Sample> where) {
    return samples.stream().filter(s -> s.name().endsWith(suffix) && where.test(s)).toList();
  }

  List<Sample> named(String suffix) {
    return named(suffix, s -> true);
  }

  /** The sum over subtasks of the samples named {@code suffix} that match. */
  double sum(String suffix, Predicate<Sample> where) {
    return named(suffix, where).stream().mapToDouble(Sample::value).sum();
  }

  double sum(String suffix) {
    return sum(suffix, s -> true);
  }

  private static List<Sample> parse(String text) {
    List<Sample> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      int space = line.lastIndexOf(' ');
      String name;
      Map<String, String> labels = new LinkedHashMap<>();
      if (brace >= 0 && brace < space) {
        name = line.substring(0, brace);
        int close = line.lastIndexOf('}');
        parseLabels(line.substring(brace + 1, close), labels);
      } else {
        name = line.substring(0, space);
      }
      out.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
    }
    return out;
  }

  private static void parseLabels(String text, Map<String, String> labels) {
    int i = 0;
    while (i < text.length()) {
      int eq = text.indexOf('=', i);
      String key = text.substring(i, eq).trim();
      int start = eq + 2; // past ="
      StringBuilder value = new StringBuilder();
      int j = start;
      while (text.charAt(j) != '"') {
        if (text.charAt(j) == '\\') {
          j++;
        }
        value.append(text.charAt(j++));
      }
      labels.put(key, value.toString());
      i = j + 1;
      if (i < text.length() && text.charAt(i) == ',') {
        i++;
      }
    }
  }
}
