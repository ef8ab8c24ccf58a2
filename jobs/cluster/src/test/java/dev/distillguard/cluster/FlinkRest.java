package dev.distillguard.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** The JobManager's REST API: what the web UI and operators' tooling see of the cluster. */
final class FlinkRest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String base;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  FlinkRest(String base) {
    this.base = base;
  }

  /** {@code POST /jars/upload} then {@code POST /jars/:id/run}: the job jar submitted without the CLI. */
  String uploadAndRun(Path jar, int parallelism, List<String> args) {
    String boundary = "distill-guard-" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    try {
      body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
          + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n")
          .getBytes(StandardCharsets.UTF_8));
      body.write(Files.readAllBytes(jar));
      body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    JsonNode uploaded = send(HttpRequest.newBuilder(URI.create(base + "/jars/upload"))
        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
    String file = uploaded.path("filename").asText();
    String jarId = file.substring(file.lastIndexOf('/') + 1);

    ObjectNode run = JSON.createObjectNode();
    run.put("parallelism", parallelism);
    run.putPOJO("programArgsList", args);
    JsonNode started = send(HttpRequest.newBuilder(URI.create(base + "/jars/" + jarId + "/run"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(run.toString())));
    return started.path("jobid").asText();
  }

  JsonNode job(String jobId) {
    return get("/jobs/" + jobId);
  }

  String state(String jobId) {
    return job(jobId).path("state").asText();
  }

  /** Whether every task of the job is running (a restarted job is RUNNING before its tasks are). */
  boolean allTasksRunning(String jobId) {
    JsonNode job = job(jobId);
    if (!"RUNNING".equals(job.path("state").asText())) {
      return false;
    }
    for (JsonNode vertex : job.path("vertices")) {
      if (vertex.path("tasks").path("RUNNING").asInt() != vertex.path("parallelism").asInt()) {
        return false;
      }
    }
    return true;
  }

  JsonNode checkpoints(String jobId) {
    return get("/jobs/" + jobId + "/checkpoints");
  }

  /** The id of the latest completed checkpoint, or -1. */
  long latestCompletedCheckpoint(String jobId) {
    JsonNode completed = checkpoints(jobId).path("latest").path("completed");
    return completed.isMissingNode() || completed.isNull() ? -1 : completed.path("id").asLong();
  }

  JsonNode checkpointConfig(String jobId) {
    return get("/jobs/" + jobId + "/checkpoints/config");
  }

  void cancel(String jobId) {
    send(HttpRequest.newBuilder(URI.create(base + "/jobs/" + jobId + "?mode=cancel"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
  }

  JsonNode get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  private JsonNode send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(response.request().method() + " " + response.uri() + ": "
            + response.statusCode() + " " + response.body());
      }
      return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
