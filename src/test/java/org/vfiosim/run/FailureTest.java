package org.vfiosim.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.report.RunOutputs;
import org.vfiosim.sim.Domain;
import org.vfiosim.sim.Frame;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.SimActor;
import org.vfiosim.sim.SimThread;
import org.vfiosim.workload.Scenario;

/** A simulated actor that throws: a bug in the model (or an injected crash) ends the run, never hangs it. */
class FailureTest {
  @TempDir
  Path dir;

  /** Its handler for {@code Poke} throws on the third message (a bug: an unexpected exception). */
  static final class Buggy extends SimActor<Buggy.Msg> {
    sealed interface Msg permits Poke {}

    record Poke(int n) implements Msg {}

    Buggy() {
      super("vm0/buggy");
    }

    @Override
    protected Frame receive(SimThread t, Msg msg) {
      return new Frame() {
        @Override
        protected void run(SimThread th) {
          if (((Poke) msg).n() == 3) {
            throw new IllegalStateException("list corrupted");
          }
          th.cost(10);
          th.ret(0);
        }

        @Override
        public String function() {
          return "buggy_handler";
        }
      };
    }
  }

  /** Pokes the actor {@code n} times, 1000 cycles apart. */
  static final class Poker extends Frame {
    private final Buggy a;
    private final int n;
    private int i;

    Poker(Buggy a, int n) {
      this.a = a;
      this.n = n;
    }

    @Override
    protected void run(SimThread t) {
      if (pc == 1) {
        pc = 0;
        i++;
      }
      if (i == n) {
        t.ret(0);
        return;
      }
      pc = 1;
      t.cost(1000);
      t.send(a, new Buggy.Poke(i + 1), 100);
    }

    @Override
    public String function() {
      return "poker";
    }
  }

  private static Model model(int pokes) {
    Model m = new Model(100);
    Domain vm = m.domain("vm0");
    Domain host = m.domain("host");
    Buggy b = m.actor(new Buggy(), host);
    m.thread("vm0/qemu", vm, new Poker(b, pokes), 0);
    m.layout(2);
    return m;
  }

  private static RunResult run(Model m, String... sets) {
    Runner.Prepared base = Runner.prepare(ConfigLoader.home(), Path.of("conf/scenarios/mutex-bench.conf"),
        List.of(sets), null, null);
    return Runner.run(new Runner.Prepared(base.settings(), new Scenario(m, 0, List.of())), 2, null);
  }

  @Test
  void an_exception_inside_an_actor_ends_the_run_with_a_bug_finding_naming_the_actor_and_message() {
    RunResult r = run(model(10));
    assertThat(r.complete()).isFalse();
    assertThat(r.status()).startsWith("failed: internal error: shard-1: SimulationFailure: IllegalStateException:"
        + " list corrupted");
    assertThat(r.exitStatus()).isEqualTo(1);
    Finding f = r.findings().get(0);
    assertThat(f.kind()).isEqualTo(Finding.Kind.BUG);
    assertThat(f.vm()).isEqualTo("vm0");
    assertThat(f.where()).isEqualTo("vm0/buggy/Poke");
    assertThat(f.message()).isEqualTo("internal error in actor vm0/buggy handling Poke on vm0/qemu at 1.173 us"
        + " in buggy_handler: IllegalStateException: list corrupted; its shard was stopped");
    assertThat(r.failure()).hasRootCauseInstanceOf(IllegalStateException.class);
    // the error log keeps the stack trace
    Path log = RunOutputs.writeErrorLog(dir, r.failure());
    assertThat(log).content().contains("list corrupted").contains("\tat ");
  }

  @Test
  void an_injected_crash_names_the_actor_and_the_message_before_its_handler_runs() {
    Model m = model(10);
    ((SimActor<?>) m.actors().get(0)).injectCrash(2_000);
    RunResult r = run(m);
    assertThat(r.status()).isEqualTo("failed: injected actor crash in vm0/buggy (vfiosim.faults.actor-crash)");
    assertThat(r.findings().get(0).message()).isEqualTo("actor vm0/buggy threw while handling Poke on vm0/qemu"
        + " at 0.770 us in poker (injected fault); its shard was stopped, the run ended there");
  }

  @Test
  void a_run_without_the_bug_completes() {
    RunResult r = run(model(2));
    assertThat(r.complete()).isTrue();
    assertThat(r.findings()).isEmpty();
    assertThat(r.failure()).isNull();
    assertThat(r.exitStatus()).isZero();
  }
}
