package dev.distillguard.detector.features;

import dev.distillguard.detector.model.Pane;

/**
 * A pane as a key's state holds it: open while calls can still land in it, frozen ({@link FrozenPane}) once
 * its windows are being computed. Both are written as the same bytes ({@link StoredPaneSerializer}), and
 * whatever is read back from them is frozen: under RocksDB every read is, and under heap state a restore.
 */
public sealed interface StoredPane permits StoredPane.Open, FrozenPane {

  /** A pane calls are added to, in place. */
  record Open(Pane pane) implements StoredPane {}

  /** The pane to add calls to: the open one itself, or a frozen one decoded with {@code maps}. */
  default Pane toOpen(RecordBytes reader, Panes.MemberMaps maps) {
    return this instanceof Open open ? open.pane() : ((FrozenPane) this).thaw(reader, maps);
  }

  /** The pane frozen: a frozen one itself, or an open one encoded. */
  default FrozenPane toFrozen(RecordBytes writer) {
    return this instanceof FrozenPane frozen ? frozen : FrozenPane.of(((Open) this).pane(), writer);
  }
}
