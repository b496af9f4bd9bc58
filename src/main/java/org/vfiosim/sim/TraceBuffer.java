package org.vfiosim.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A shard's trace recorder: the first {@code limit} spans in the order the shard processed them
 * (which is virtual-time order), then a count of what was dropped. Off unless a run asks for it.
 */
public final class TraceBuffer {
  private final int limit;
  private final List<TraceEvent> events = new ArrayList<>();
  private long dropped;

  public TraceBuffer(int limit) {
    this.limit = limit;
  }

  void add(TraceEvent.Kind kind, long start, long end, SimThread t, String name, String detail) {
    if (events.size() >= limit) {
      dropped++;
      return;
    }
    String domain = t.process != null ? t.process : t.domain == null ? "" : t.domain.name;
    events.add(new TraceEvent(kind, start, end, t.id, t.name, domain, name, detail));
  }

  public long dropped() {
    return dropped;
  }

  public List<TraceEvent> events() {
    return events;
  }

  /** Every shard's spans, ordered by (start, thread, kind): the same for any thread count. */
  public static List<TraceEvent> merge(Model m, long[] droppedOut) {
    List<TraceEvent> all = new ArrayList<>();
    long dropped = 0;
    for (Shard s : m.shards()) {
      if (s.trace != null) {
        all.addAll(s.trace.events);
        dropped += s.trace.dropped;
      }
    }
    all.sort(Comparator.comparingLong(TraceEvent::start).thenComparingInt(TraceEvent::thread)
        .thenComparing(TraceEvent::kind).thenComparingLong(TraceEvent::end).thenComparing(TraceEvent::name));
    if (droppedOut != null && droppedOut.length > 0) {
      droppedOut[0] = dropped;
    }
    return all;
  }
}
