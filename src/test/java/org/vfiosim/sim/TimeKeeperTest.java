package org.vfiosim.sim;

import static org.assertj.core.api.Assertions.assertThat;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** TimeKeeper with real shard actors (Akka ActorTestKit; Akka 2.6 has no JUnit 5 extension). */
class TimeKeeperTest {
  static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  @Test
  void drives_shards_to_quiescence_in_windows_no_longer_than_the_limit() throws Exception {
    Model m = RegistryModel.build(3, 2, 40, 7);
    m.layout(0);
    CompletableFuture<TimeKeeper.Outcome> done = new CompletableFuture<>();
    List<Long> reached = new ArrayList<>();
    KIT.spawn(TimeKeeper.create(m, 10_000, Long.MAX_VALUE, (vt, ev) -> reached.add(vt), done));
    TimeKeeper.Outcome o = done.get(20, TimeUnit.SECONDS);
    assertThat(o.status()).isEqualTo(TimeKeeper.Status.QUIESCENT);
    assertThat(o.windows()).isGreaterThan(10);
    assertThat(reached).isSorted();
    assertThat(m.stuckThreads()).isEmpty();
    assertThat(m.threads()).allMatch(SimThread::isDone);
  }

  @Test
  void stops_at_the_end_time() throws Exception {
    Model m = RegistryModel.build(2, 1, 10_000, 1);
    m.layout(0);
    CompletableFuture<TimeKeeper.Outcome> done = new CompletableFuture<>();
    KIT.spawn(TimeKeeper.create(m, 1_000_000, 50_000, null, done));
    TimeKeeper.Outcome o = done.get(20, TimeUnit.SECONDS);
    assertThat(o.status()).isEqualTo(TimeKeeper.Status.TIME_LIMIT);
    assertThat(o.virtualTime()).isEqualTo(50_000);
    for (Shard s : m.shards()) {
      assertThat(s.nextEventTime()).isGreaterThanOrEqualTo(50_000);
    }
  }

  @Test
  void a_shard_that_throws_ends_the_run_as_failed_instead_of_hanging() throws Exception {
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimMutex l = m.mutex(m.lockClass("L", LockKind.MUTEX, 0, 0, 0), "o", d);
    m.thread("bad", d, Steps.of().sleep(100).unlock(l), 0);
    m.layout(1);
    CompletableFuture<TimeKeeper.Outcome> done = new CompletableFuture<>();
    KIT.spawn(TimeKeeper.create(m, 1_000_000, Long.MAX_VALUE, null, done));
    TimeKeeper.Outcome o = done.get(20, TimeUnit.SECONDS);
    assertThat(o.status()).isEqualTo(TimeKeeper.Status.FAILED);
    assertThat(o.error()).contains("shard-0").contains("does not hold");
  }
}
