package org.vfiosim.report;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.vfiosim.run.RunResult;
import org.vfiosim.sim.TraceEvent;

/**
 * {@code trace.json}: a run's recorded spans in the Chrome trace-event format (the JSON object
 * form), which Perfetto and {@code chrome://tracing} open.
 *
 * <ul>
 *   <li>one {@code pid} per process (VM, GPU, host; numbered from 1 in the order of their lowest
 *       thread id), with {@code process_name} and {@code process_sort_index} metadata;
 *   <li>{@code tid} = the simulated thread's id plus one, with {@code thread_name} and
 *       {@code thread_sort_index} metadata (Perfetto before mid-2025 merged {@code tid} 0 into
 *       another thread);
 *   <li>lock holds ({@code cat "lock"}) and entry points ({@code cat "op"}) as complete events
 *       {@code X}; lock waits ({@code cat "lock-wait"}) as nestable async {@code b}/{@code e}
 *       pairs with an id unique per wait, because waiters of one lock overlap;
 *   <li>{@code ts} and {@code dur} in microseconds, converted from cycles at
 *       {@code vfiosim.cpu-ghz} and rounded to the picosecond; {@code args.cycles} keeps the exact
 *       duration. {@code displayTimeUnit} is {@code "ns"}.
 * </ul>
 *
 * <p>Spans are written by start time; at equal start the longer first, so complete events on a
 * thread nest as Perfetto requires. {@code otherData} names the run and counts the spans each
 * shard dropped past its limit. The output is a pure function of the spans and the run settings.
 */
public final class TraceJson {
  private TraceJson() {}

  /** Run identification and trace bookkeeping for {@code otherData}. */
  public record Meta(String scenario, String generation, long seed, double cpuGhz, int limitPerShard, long dropped) {
    public static Meta of(RunResult r, int limitPerShard) {
      var s = r.settings();
      return new Meta(s.scenarioName(), s.generation(), s.seed(), s.cpuGhz(), limitPerShard, r.traceDropped());
    }
  }

  private record Proc(int pid, String name) {}

  /** The whole file as a string (tests; small traces). */
  public static String render(List<TraceEvent> events, Meta meta) {
    StringWriter w = new StringWriter();
    try {
      write(w, events, meta);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return w.toString();
  }

  /** Streams the file: one event per line. */
  public static void write(Writer w, List<TraceEvent> events, Meta meta) throws IOException {
    // Processes ordered by their lowest thread id; threads by id.
    Map<String, Integer> lowest = new LinkedHashMap<>();
    TreeMap<Integer, TraceEvent> threads = new TreeMap<>();
    for (TraceEvent e : events) {
      lowest.merge(e.process(), e.thread(), Math::min);
      threads.putIfAbsent(e.thread(), e);
    }
    List<Map.Entry<String, Integer>> procOrder = new ArrayList<>(lowest.entrySet());
    procOrder.sort(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
    Map<String, Proc> procs = new LinkedHashMap<>();
    for (Map.Entry<String, Integer> p : procOrder) {
      procs.put(p.getKey(), new Proc(procs.size() + 1, p.getKey()));
    }

    w.write("{\"traceEvents\":[\n");
    boolean[] first = {true};
    for (Proc p : procs.values()) {
      line(w, first, "{\"ph\":\"M\",\"pid\":" + p.pid() + ",\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":"
          + str(p.name()) + "}}");
      line(w, first, "{\"ph\":\"M\",\"pid\":" + p.pid()
          + ",\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":" + p.pid() + "}}");
    }
    for (TraceEvent t : threads.values()) {
      int pid = procs.get(t.process()).pid();
      long tid = tid(t);
      line(w, first, "{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid
          + ",\"name\":\"thread_name\",\"args\":{\"name\":" + str(t.threadName()) + "}}");
      line(w, first, "{\"ph\":\"M\",\"pid\":" + pid + ",\"tid\":" + tid
          + ",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":" + tid + "}}");
    }

    List<TraceEvent> spans = new ArrayList<>(events);
    spans.sort(Comparator.comparingLong(TraceEvent::start).thenComparingInt(TraceEvent::thread)
        .thenComparing(Comparator.comparingLong(TraceEvent::end).reversed())
        .thenComparing(e -> kindOrder(e.kind())).thenComparing(TraceEvent::name).thenComparing(TraceEvent::detail));
    long waitId = 0;
    for (TraceEvent e : spans) {
      int pid = procs.get(e.process()).pid();
      long ts = ps(e.start(), meta.cpuGhz());
      long end = ps(e.end(), meta.cpuGhz());
      String common = ",\"name\":" + str(e.name()) + ",\"pid\":" + pid + ",\"tid\":" + tid(e);
      long cycles = e.end() - e.start();
      switch (e.kind()) {
        case OP -> line(w, first, "{\"ph\":\"X\",\"cat\":\"op\"" + common + ",\"ts\":" + us(ts) + ",\"dur\":"
            + us(end - ts) + ",\"args\":{\"cycles\":" + cycles + "}}");
        case HOLD -> line(w, first, "{\"ph\":\"X\",\"cat\":\"lock\"" + common + ",\"ts\":" + us(ts) + ",\"dur\":"
            + us(end - ts) + ",\"args\":{\"owner\":" + str(e.detail()) + ",\"cycles\":" + cycles + "}}");
        case WAIT -> {
          waitId++;
          line(w, first, "{\"ph\":\"b\",\"cat\":\"lock-wait\"" + common + ",\"id\":" + waitId + ",\"ts\":" + us(ts)
              + ",\"args\":{\"owner\":" + str(e.detail()) + ",\"cycles\":" + cycles + "}}");
          line(w, first, "{\"ph\":\"e\",\"cat\":\"lock-wait\"" + common + ",\"id\":" + waitId + ",\"ts\":" + us(end)
              + "}");
        }
        default -> throw new IllegalStateException(e.kind().name());
      }
    }
    w.write("\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"generator\":\"vfiosim\",\"scenario\":"
        + str(meta.scenario()) + ",\"generation\":" + str(meta.generation()) + ",\"seed\":" + meta.seed()
        + ",\"cpu_ghz\":" + meta.cpuGhz() + ",\"trace_limit_per_shard\":" + meta.limitPerShard() + ",\"spans\":"
        + events.size() + ",\"dropped\":" + meta.dropped());
    if (meta.dropped() > 0) {
      w.write(",\"note\":" + str(meta.dropped() + " spans dropped: each shard keeps only its first "
          + meta.limitPerShard() + " (raise --trace-limit)"));
    }
    w.write("}}\n");
  }

  private static long tid(TraceEvent e) {
    return e.thread() + 1L;
  }

  private static int kindOrder(TraceEvent.Kind k) {
    return switch (k) {
      case OP -> 0;
      case HOLD -> 1;
      case WAIT -> 2;
    };
  }

  private static void line(Writer w, boolean[] first, String event) throws IOException {
    if (!first[0]) {
      w.write(",\n");
    }
    first[0] = false;
    w.write(event);
  }

  /** Cycles to picoseconds at {@code ghz}, rounded. */
  static long ps(long cycles, double ghz) {
    return Math.round(cycles * 1000.0 / ghz);
  }

  /** Picoseconds as microseconds: plain decimal, no trailing zeros ({@code 1}, {@code 0.1}, {@code 2.333333}). */
  static String us(long ps) {
    long whole = ps / 1_000_000;
    long frac = Math.abs(ps % 1_000_000);
    String sign = ps < 0 && whole == 0 ? "-" : "";
    if (frac == 0) {
      return sign + whole;
    }
    String f = String.format(java.util.Locale.ROOT, "%06d", frac);
    int end = f.length();
    while (f.charAt(end - 1) == '0') {
      end--;
    }
    return sign + whole + "." + f.substring(0, end);
  }

  private static String str(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s == null ? "" : s)) + "\"";
  }
}
