package dev.distillguard.bench.drivers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchEnvironmentTest {

  /** The module's tests run in jobs/benchmarks; the cluster's configuration is the repository's. */
  private static final Path REPOSITORY_CONFIG = Path.of("../../flink-conf");

  @Test
  void aRocksDbRunTakesTheClustersRocksDbOptionsButKeepsItsOwnLocalDirectory(@TempDir Path dir) throws IOException {
    Path conf = Files.createDirectory(dir.resolve("conf"));
    Files.writeString(conf.resolve("config.yaml"), String.join("\n",
        "state.backend.type: rocksdb",
        "state.backend.rocksdb.use-bloom-filter: true",
        "state.backend.rocksdb.localdir: /somewhere/else",
        "execution.checkpointing.interval: 7s",
        ""));

    assertThat(BenchEnvironment.clusterRocksDbOptions(conf))
        .containsExactly(Map.entry("state.backend.rocksdb.use-bloom-filter", "true"));
  }

  @Test
  void theRepositorysClusterConfigurationIsReadAsCommitted() {
    Map<String, String> options = BenchEnvironment.clusterRocksDbOptions(REPOSITORY_CONFIG);

    assertThat(options).containsEntry("state.backend.rocksdb.metrics.estimate-num-keys", "true")
        .allSatisfy((key, value) -> assertThat(key).startsWith("state.backend.rocksdb."));
    Configuration flink = BenchEnvironment.flink(new Configuration(), BenchEnvironment.StateBackend.HEAP,
        Path.of("/tmp/checkpoints"), Path.of("/tmp/rocksdb"));
    assertThat(flink.toMap()).doesNotContainKey("state.backend.rocksdb.metrics.estimate-num-keys");
  }

  @Test
  void aMissingConfigurationSaysWhereItLooked(@TempDir Path dir) {
    assertThatThrownBy(() -> BenchEnvironment.clusterRocksDbOptions(dir))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.resolve("config.yaml").toAbsolutePath().toString())
        .hasMessageContaining("bin/bench");
  }
}
