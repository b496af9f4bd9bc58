package org.vfiosim.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

/**
 * The determinism contract at engine level: the same model gives the same figures whatever the
 * number of dispatcher threads, the shard layout, or the window length; cross-domain calls go
 * through the time keeper's windows when the domains sit on different shards.
 */
class EngineDeterminismTest {

  private static String run(int shards, int threads, long maxWindow) {
    return run(shards, threads, maxWindow, false);
  }

  private static String run(int shards, int threads, long maxWindow, boolean hub) {
    return run(shards, threads, maxWindow, hub, TimeKeeper.DEFAULT_PARALLEL_EVENTS);
  }

  private static String run(int shards, int threads, long maxWindow, boolean hub, double parallelEvents) {
    Model m = RegistryModel.build(6, 3, 150, 42, hub);
    m.layout(shards);
    TimeKeeper.Outcome o = Engine.run(m, new Engine.Settings(threads, maxWindow, parallelEvents,
        TimeKeeper.Limits.endAt(Long.MAX_VALUE)), ConfigFactory.load(), null);
    assertThat(o.status()).isEqualTo(TimeKeeper.Status.QUIESCENT);
    return RegistryModel.fingerprint(m);
  }

  @Test
  void same_figures_for_any_layout_thread_count_and_window() {
    String reference = run(1, 1, 1L << 40);
    assertThat(reference).contains("registry_call n=2678");
    assertThat(reference).doesNotContain("done=false");
    assertThat(run(0, 1, 1L << 40)).isEqualTo(reference);
    assertThat(run(0, 2, 1L << 40)).isEqualTo(reference);
    assertThat(run(0, 4, 1L << 40)).isEqualTo(reference);
    assertThat(run(3, 2, 1L << 40)).isEqualTo(reference);
    assertThat(run(0, 2, 97)).isEqualTo(reference);
    assertThat(run(1, 1, 1)).isEqualTo(reference);
    // every window on its shard actor, or every window inline on the time keeper
    assertThat(run(0, 2, 1L << 40, false, 0)).isEqualTo(reference);
    assertThat(run(0, 2, 97, false, 0)).isEqualTo(reference);
    assertThat(run(0, 4, 1L << 40, true, 0)).isEqualTo(reference);
    assertThat(run(0, 2, 1L << 40, false, Double.MAX_VALUE)).isEqualTo(reference);
  }

  @Test
  void hub_mode_gives_the_same_figures_as_the_general_rule() {
    String reference = run(1, 1, 1L << 40);
    assertThat(run(0, 1, 1L << 40, true)).isEqualTo(reference);
    assertThat(run(0, 2, 1L << 40, true)).isEqualTo(reference);
    assertThat(run(0, 4, 1L << 40, true)).isEqualTo(reference);
    assertThat(run(4, 2, 1L << 40, true)).isEqualTo(reference);
    assertThat(run(0, 2, 61, true)).isEqualTo(reference);
    assertThat(run(2, 1, 1, true)).isEqualTo(reference);
  }

  @Test
  void with_hubs_a_call_to_a_non_hub_domain_is_refused() {
    Model m = new Model(10);
    Domain a = m.domain("a");
    Domain b = m.domain("b");
    Domain host = m.domain("host");
    m.hub(host);
    RegistryModel.Registry reg = m.actor(new RegistryModel.Registry(m, b), b);
    m.thread("x", a, new Frame() {
      @Override
      protected void run(SimThread t) {
        if (pc == 0) {
          pc = 1;
          t.send(reg, new RegistryModel.Registry.Lookup(1), 10);
          return;
        }
        t.ret(0);
      }
    }, 0);
    m.layout(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.shards()[0].runUntil(Long.MAX_VALUE))
        .isInstanceOf(SimulationFailure.class).hasCauseInstanceOf(SimulationError.class).hasMessageContaining("which is not a hub");
  }

  @Test
  void global_lock_serialises_calls_from_all_domains() {
    Model m = RegistryModel.build(6, 3, 150, 42);
    m.layout(0);
    Engine.run(m, new Engine.Settings(2, 1L << 40, Long.MAX_VALUE), ConfigFactory.load(), null);
    SimLock reg = m.lock("registry_lock", "host");
    assertThat(reg.writeStats().acquisitions()).isEqualTo(m.opStats().get("registry_call").count()).isPositive();
    assertThat(reg.writeStats().contentions()).isPositive();
    // each call costs at least two hops plus the lock's acquire and release costs
    assertThat(m.opStats().get("registry_call").min()).isGreaterThanOrEqualTo(2 * RegistryModel.HOP + 10 + 5);
  }

  @Test
  void a_message_below_the_lookahead_is_refused() {
    Model m = new Model(100);
    Domain a = m.domain("a");
    Domain b = m.domain("b");
    RegistryModel.Registry reg = m.actor(new RegistryModel.Registry(m, b), b);
    m.thread("x", a, new Frame() {
      @Override
      protected void run(SimThread t) {
        if (pc == 0) {
          pc = 1;
          t.send(reg, new RegistryModel.Registry.Lookup(1), 10);
          return;
        }
        t.ret(0);
      }
    }, 0);
    m.layout(1);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> m.shards()[0].runUntil(Long.MAX_VALUE))
        .isInstanceOf(SimulationFailure.class).hasCauseInstanceOf(SimulationError.class).hasMessageContaining("below the lookahead");
  }
}
