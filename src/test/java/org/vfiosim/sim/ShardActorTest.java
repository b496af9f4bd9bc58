package org.vfiosim.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import akka.actor.testkit.typed.javadsl.BehaviorTestKit;
import akka.actor.testkit.typed.javadsl.TestInbox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ShardActor's protocol, run synchronously with Akka's BehaviorTestKit. */
class ShardActorTest {

  @Test
  void runs_the_window_and_reports_next_event_and_counts() {
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimMutex l = m.mutex(m.lockClass("L", LockKind.MUTEX, 0, 0, 0), "o", d);
    m.thread("a", d, Steps.of().lock(l).cost(100).unlock(l), 0);
    m.thread("b", d, Steps.of().sleep(5_000).lock(l).unlock(l), 0);
    m.layout(1);
    BehaviorTestKit<ShardActor.Command> kit = BehaviorTestKit.create(ShardActor.create(m.shards()[0]));
    TestInbox<TimeKeeper.Command> inbox = TestInbox.create();

    kit.run(new ShardActor.RunWindow(1_000, List.of(), inbox.getRef()));
    TimeKeeper.WindowDone first = (TimeKeeper.WindowDone) inbox.receiveMessage();
    assertThat(first.shard()).isZero();
    assertThat(first.nextTime()).isEqualTo(5_000);
    assertThat(first.events()).isEqualTo(1);
    assertThat(first.outbound()).isEmpty();

    kit.run(new ShardActor.RunWindow(Long.MAX_VALUE, List.of(), inbox.getRef()));
    TimeKeeper.WindowDone second = (TimeKeeper.WindowDone) inbox.receiveMessage();
    assertThat(second.nextTime()).isEqualTo(Long.MAX_VALUE);
    assertThat(second.callEot()).isEqualTo(Long.MAX_VALUE);
    assertThat(second.replyEot()).isNull();
    assertThat(second.events()).isEqualTo(2);
    assertThat(l.writeStats().acquisitions()).isEqualTo(2);
  }

  @Test
  void reports_a_failure_to_the_time_keeper_before_failing() {
    Model m = new Model(1);
    Domain d = m.domain("d");
    SimMutex l = m.mutex(m.lockClass("L", LockKind.MUTEX, 0, 0, 0), "o", d);
    m.thread("bad", d, Steps.of().unlock(l), 0);
    m.layout(1);
    BehaviorTestKit<ShardActor.Command> kit = BehaviorTestKit.create(ShardActor.create(m.shards()[0]));
    TestInbox<TimeKeeper.Command> inbox = TestInbox.create();
    assertThatThrownBy(() -> kit.run(new ShardActor.RunWindow(10, List.of(), inbox.getRef())))
        .isInstanceOf(SimulationFailure.class).hasCauseInstanceOf(SimulationError.class);
    TimeKeeper.ShardFailed f = (TimeKeeper.ShardFailed) inbox.receiveMessage();
    assertThat(f.error()).hasMessageContaining("bad releases L o which it does not hold");
    SimulationFailure sf = (SimulationFailure) f.error();
    assertThat(sf.thread).isEqualTo("bad");
    assertThat(sf.function).isEqualTo("Steps");
    assertThat(sf.actor).isNull();
    assertThat(sf.injected()).isFalse();
  }
}
