package org.vfiosim.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfiosim.sim.TraceEvent;
import org.vfiosim.sim.TraceEvent.Kind;

class TraceJsonTest {
  static final TraceJson.Meta META = new TraceJson.Meta("tiny", "v5.10", 42, 3.0, 100, 0);

  /** Two processes; a pin that holds &iommu->lock while qemu waits for it; a short rwsem read hold. */
  static List<TraceEvent> tiny() {
    return List.of(
        new TraceEvent(Kind.HOLD, 1200, 2000, 5, "qemu", "vm1", "&iommu->lock", "vm1"),
        new TraceEvent(Kind.WAIT, 400, 1200, 5, "qemu", "vm1", "&iommu->lock", "vm1"),
        new TraceEvent(Kind.HOLD, 300, 1200, 3, "vgpu0 \"gvt\"", "vm1", "&iommu->lock", "vm1"),
        new TraceEvent(Kind.OP, 0, 3000, 3, "vgpu0 \"gvt\"", "vm1", "vfio_pin_pages", ""),
        new TraceEvent(Kind.HOLD, 100, 101, 2, "kworker", "host", "&mm->mmap_lock-R", "host"));
  }

  @Test
  void golden_tiny_trace() {
    String expected = String.join("\n",
        "{\"traceEvents\":[",
        "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"host\"}},",
        "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":1}},",
        "{\"ph\":\"M\",\"pid\":2,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"vm1\"}},",
        "{\"ph\":\"M\",\"pid\":2,\"tid\":0,\"name\":\"process_sort_index\",\"args\":{\"sort_index\":2}},",
        "{\"ph\":\"M\",\"pid\":1,\"tid\":3,\"name\":\"thread_name\",\"args\":{\"name\":\"kworker\"}},",
        "{\"ph\":\"M\",\"pid\":1,\"tid\":3,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":3}},",
        "{\"ph\":\"M\",\"pid\":2,\"tid\":4,\"name\":\"thread_name\",\"args\":{\"name\":\"vgpu0 \\\"gvt\\\"\"}},",
        "{\"ph\":\"M\",\"pid\":2,\"tid\":4,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":4}},",
        "{\"ph\":\"M\",\"pid\":2,\"tid\":6,\"name\":\"thread_name\",\"args\":{\"name\":\"qemu\"}},",
        "{\"ph\":\"M\",\"pid\":2,\"tid\":6,\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":6}},",
        "{\"ph\":\"X\",\"cat\":\"op\",\"name\":\"vfio_pin_pages\",\"pid\":2,\"tid\":4,\"ts\":0,\"dur\":1,"
            + "\"args\":{\"cycles\":3000}},",
        "{\"ph\":\"X\",\"cat\":\"lock\",\"name\":\"&mm->mmap_lock-R\",\"pid\":1,\"tid\":3,\"ts\":0.033333,"
            + "\"dur\":0.000334,\"args\":{\"owner\":\"host\",\"cycles\":1}},",
        "{\"ph\":\"X\",\"cat\":\"lock\",\"name\":\"&iommu->lock\",\"pid\":2,\"tid\":4,\"ts\":0.1,\"dur\":0.3,"
            + "\"args\":{\"owner\":\"vm1\",\"cycles\":900}},",
        "{\"ph\":\"b\",\"cat\":\"lock-wait\",\"name\":\"&iommu->lock\",\"pid\":2,\"tid\":6,\"id\":1,\"ts\":0.133333,"
            + "\"args\":{\"owner\":\"vm1\",\"cycles\":800}},",
        "{\"ph\":\"e\",\"cat\":\"lock-wait\",\"name\":\"&iommu->lock\",\"pid\":2,\"tid\":6,\"id\":1,\"ts\":0.4},",
        "{\"ph\":\"X\",\"cat\":\"lock\",\"name\":\"&iommu->lock\",\"pid\":2,\"tid\":6,\"ts\":0.4,\"dur\":0.266667,"
            + "\"args\":{\"owner\":\"vm1\",\"cycles\":800}}",
        "],",
        "\"displayTimeUnit\":\"ns\",",
        "\"otherData\":{\"generator\":\"vfiosim\",\"scenario\":\"tiny\",\"generation\":\"v5.10\",\"seed\":42,"
            + "\"cpu_ghz\":3.0,\"trace_limit_per_shard\":100,\"spans\":5,\"dropped\":0}}",
        "");
    assertThat(TraceJson.render(tiny(), META)).isEqualTo(expected);
  }

  @Test
  void dropped_spans_are_noted() {
    String s = TraceJson.render(List.of(), new TraceJson.Meta("t", "v5.6", 1, 2.5, 10, 7));
    assertThat(s).isEqualTo("{\"traceEvents\":[\n\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"generator\":"
        + "\"vfiosim\",\"scenario\":\"t\",\"generation\":\"v5.6\",\"seed\":1,\"cpu_ghz\":2.5,"
        + "\"trace_limit_per_shard\":10,\"spans\":0,\"dropped\":7,"
        + "\"note\":\"7 spans dropped: each shard keeps only its first 10 (raise --trace-limit)\"}}\n");
  }

  @Test
  void microseconds_from_picoseconds() {
    assertThat(TraceJson.us(0)).isEqualTo("0");
    assertThat(TraceJson.us(1)).isEqualTo("0.000001");
    assertThat(TraceJson.us(1_000_000)).isEqualTo("1");
    assertThat(TraceJson.us(12_340_000)).isEqualTo("12.34");
    assertThat(TraceJson.us(100_000_000_000_000L)).isEqualTo("100000000");
    assertThat(TraceJson.ps(100, 3.0)).isEqualTo(33_333);
    assertThat(TraceJson.ps(2000, 3.0)).isEqualTo(666_667);
  }
}
