package org.vfiosim.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.report.ResultsJson;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.LockKind;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimMutex;
import org.vfiosim.sim.SimThread;
import org.vfiosim.workload.Scenario;

/**
 * The watchdog and the end-of-run deadlock check: a wait-for cycle is reported whether the other
 * threads go on to the end, everything stops at once, or a timer would tick forever.
 */
class WatchdogTest {

  /** A timer: {@code ticks} periods of {@code period} cycles (-1: forever), each an ordering point. */
  static final class Ticker extends Frame {
    private final long period;
    private long left;

    Ticker(long period, long ticks) {
      this.period = period;
      this.left = ticks;
    }

    @Override
    protected void run(SimThread t) {
      while (left != 0) {
        if (left > 0) {
          left--;
        }
        if (!t.sleep(period)) {
          return;
        }
      }
      t.ret(0);
    }

    @Override
    public String function() {
      return "tbs_timer_fn";
    }
  }

  /** ABBA between two threads of domain d at 0 and 10 cycles; a ticker in domain e. */
  private static Model model(long tickerTicks, int shards) {
    return model(tickerTicks, shards, true);
  }

  /** As above; {@code abba} false: both threads take X then Y (no deadlock). */
  private static Model model(long tickerTicks, int shards, boolean abba) {
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimMutex x = m.mutex(m.lockClass("X", LockKind.MUTEX, 0, 0, 0), "o", d);
    SimMutex y = m.mutex(m.lockClass("Y", LockKind.MUTEX, 0, 0, 0), "o", d);
    m.thread("A", d, new EndChecksTest.TwoLocks(x, y), 0);
    m.thread("B", d, abba ? new EndChecksTest.TwoLocks(y, x) : new EndChecksTest.TwoLocks(x, y), 10);
    if (tickerTicks != 0) {
      Domain e = m.domain("e");
      m.thread("timer", e, new Ticker(100_000, tickerTicks), 0);
    }
    m.layout(shards);
    return m;
  }

  private static RunResult run(Model m, int threads, String... sets) {
    Runner.Prepared base = Runner.prepare(ConfigLoader.home(), Path.of("conf/scenarios/mutex-bench.conf"),
        List.of(sets), null, null);
    return Runner.run(new Runner.Prepared(base.settings(), new Scenario(m, 0, List.of())), threads, null);
  }

  private static long deadlocks(RunResult r) {
    return r.findings().stream().filter(f -> f.kind() == Finding.Kind.DEADLOCK).count();
  }

  @Test
  void a_cycle_in_the_middle_of_a_run_whose_other_threads_go_on_is_reported_at_the_end() {
    // the timer ticks 100 times (10 M cycles) after the deadlock formed at about 110 cycles
    RunResult r = run(model(100, 2), 2, "vfiosim.limits.hung-task-ms=0");
    assertThat(r.status()).isEqualTo("quiescent");
    assertThat(r.complete()).isTrue();
    assertThat(r.virtualTimeCycles()).isEqualTo(10_000_000);
    assertThat(deadlocks(r)).isEqualTo(1);
    assertThat(r.findings().get(0).message()).startsWith("wait-for cycle: A holds X o and waits for Y o held by B");
    assertThat(r.exitStatus()).isEqualTo(1);
  }

  @Test
  void a_run_whose_threads_are_all_blocked_stops_at_once() {
    RunResult r = run(model(0, 1), 1);
    assertThat(r.status()).isEqualTo("quiescent");
    assertThat(r.virtualTimeCycles()).isLessThan(1_000);
    assertThat(r.host().windows()).isLessThan(5);
    assertThat(deadlocks(r)).isEqualTo(1);
    assertThat(r.exitStatus()).isEqualTo(1);
  }

  @Test
  void a_cycle_with_a_timer_ticking_forever_is_stopped_by_the_watchdog() {
    // hung-task-ms=1: checks at 3 M, 6 M cycles (3 GHz); the cycle is there at both: stop at 6 M
    RunResult r = run(model(-1, 2), 2, "vfiosim.limits.hung-task-ms=1");
    assertThat(r.complete()).isFalse();
    assertThat(r.status()).isEqualTo("hung: lock waiters in a wait-for cycle for 1 ms of virtual time or more"
        + " (vfiosim.limits.hung-task-ms)");
    assertThat(r.virtualTimeCycles()).isEqualTo(6_000_000); // every shard ran up to the check
    assertThat(deadlocks(r)).isEqualTo(1);
    assertThat(r.invariantsChecked()).isZero(); // end-of-run invariants do not apply to a stopped run
    assertThat(r.exitStatus()).isEqualTo(1);
  }

  @Test
  void a_watchdog_stop_is_the_same_for_any_number_of_threads_and_shards() {
    String one = withoutHost(ResultsJson.render(run(model(-1, 1), 1, "vfiosim.limits.hung-task-ms=1")));
    String two = withoutHost(ResultsJson.render(run(model(-1, 2), 2, "vfiosim.limits.hung-task-ms=1")));
    assertThat(two).isEqualTo(one);
  }

  @Test
  void watchdog_pauses_do_not_change_a_complete_run() {
    // 100 ticks: 10 M cycles, past three watchdog checks
    RunResult r = run(model(100, 2, false), 2, "vfiosim.limits.hung-task-ms=1");
    assertThat(r.status()).isEqualTo("quiescent");
    String on = withoutHost(ResultsJson.render(r));
    String off = withoutHost(ResultsJson.render(run(model(100, 2, false), 2, "vfiosim.limits.hung-task-ms=0")));
    assertThat(on.replace("\"hung-task-ms\" : 1", "\"hung-task-ms\" : 0")).isEqualTo(off);
  }

  static String withoutHost(String json) {
    int i = json.indexOf("\"host\"");
    return i < 0 ? json : json.substring(0, i);
  }
}
