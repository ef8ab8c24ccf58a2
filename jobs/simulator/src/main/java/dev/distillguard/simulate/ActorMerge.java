package dev.distillguard.simulate;

import dev.distillguard.simulate.timing.ArrivalProcess;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Merges the actors' calls into one stream in non-decreasing event time, lazily: a binary min-heap
 * keyed by each actor's next call time (ties by actor order), so memory holds the actors, never the
 * calls.
 */
final class ActorMerge implements Iterator<LabelledCall> {

  private final Actor[] heap;
  private int size;

  ActorMerge(List<Actor> actors) {
    heap = new Actor[actors.size()];
    for (Actor actor : actors) {
      if (actor.nextMillis() != ArrivalProcess.END) {
        heap[size++] = actor;
      }
    }
    for (int i = size / 2 - 1; i >= 0; i--) {
      siftDown(i);
    }
  }

  @Override
  public boolean hasNext() {
    return size > 0;
  }

  @Override
  public LabelledCall next() {
    if (size == 0) {
      throw new NoSuchElementException();
    }
    Actor top = heap[0];
    LabelledCall call = top.emit();
    if (top.nextMillis() == ArrivalProcess.END) {
      heap[0] = heap[--size];
      heap[size] = null;
    }
    if (size > 0) {
      siftDown(0);
    }
    return call;
  }

  private void siftDown(int index) {
    Actor moving = heap[index];
    while (true) {
      int child = 2 * index + 1;
      if (child >= size) {
        break;
      }
      if (child + 1 < size && before(heap[child + 1], heap[child])) {
        child++;
      }
      if (!before(heap[child], moving)) {
        break;
      }
      heap[index] = heap[child];
      index = child;
    }
    heap[index] = moving;
  }

  private static boolean before(Actor a, Actor b) {
    return a.nextMillis() < b.nextMillis() || (a.nextMillis() == b.nextMillis() && a.order < b.order);
  }
}
