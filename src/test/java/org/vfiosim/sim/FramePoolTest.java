package org.vfiosim.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** FramePool and the engine's recycle hook: frames come back once they returned, never before. */
class FramePoolTest {

  /** An actor whose handler frames are pooled: doubles a value under its lock. */
  static final class Doubler extends SimActor<Doubler.Twice> {
    record Twice(long v) {}

    final SimMutex lock;
    final FramePool<TwiceFrame> frames = new FramePool<>(TwiceFrame::new);
    int made;

    Doubler(Model m, Domain d) {
      super("doubler");
      lock = m.mutex(m.lockClass("doubler_lock", LockKind.MUTEX, 0, 0, 0), "d", d);
    }

    @Override
    protected Frame receive(SimThread t, Twice msg) {
      return frames.take().init(msg.v());
    }

    final class TwiceFrame extends Frame {
      long v;

      TwiceFrame() {
        made++;
      }

      TwiceFrame init(long v) {
        this.v = v;
        return this;
      }

      @Override
      protected void recycle() {
        frames.give(this);
      }

      @Override
      protected void run(SimThread t) {
        switch (pc) {
          case 0:
            pc = 1;
            if (!t.lock(lock, CallSite.of("twice"))) {
              return;
            }
            // fall through
          case 1:
            t.cost(10);
            t.unlock(lock);
            t.ret(2 * v);
            return;
          default:
            throw new IllegalStateException("pc " + pc);
        }
      }
    }
  }

  /** Calls the doubler with 1..n and logs the replies. */
  static final class Caller extends Frame {
    private final Doubler d;
    private final int n;
    private final List<Long> out;
    private int i;

    Caller(Doubler d, int n, List<Long> out) {
      this.d = d;
      this.n = n;
      this.out = out;
    }

    @Override
    protected void run(SimThread t) {
      if (pc == 1) {
        out.add(t.retval);
      }
      if (i == n) {
        t.ret(0);
        return;
      }
      i++;
      pc = 1;
      t.send(d, new Doubler.Twice(i), 5);
    }
  }

  /** A frame for the pool tests. */
  static final class Plain extends Frame {
    @Override
    protected void run(SimThread t) {
      t.ret(0);
    }
  }

  @Test
  void a_returned_frame_is_reused_reset_and_cannot_be_given_twice() {
    FramePool<Plain> pool = new FramePool<>(Plain::new);
    Plain a = pool.take();
    a.pc = 7;
    pool.give(a);
    assertThat(pool.size()).isEqualTo(1);
    assertThatThrownBy(() -> pool.give(a)).isInstanceOf(SimulationError.class).hasMessageContaining("twice");
    Plain b = pool.take();
    assertThat(b).isSameAs(a);
    assertThat(b.pc).isZero();
    assertThat(pool.size()).isZero();
    assertThat(pool.take()).isNotSameAs(a);
  }

  @Test
  void calls_in_sequence_share_one_frame_and_replies_are_unchanged() {
    Model m = new Model(1);
    Domain dom = m.domain("d");
    Doubler d = m.actor(new Doubler(m, dom), dom);
    List<Long> out = new ArrayList<>();
    m.thread("c", dom, new Caller(d, 5, out), 0);
    m.layout(1);
    m.shards()[0].runUntil(Long.MAX_VALUE);
    assertThat(out).containsExactly(2L, 4L, 6L, 8L, 10L);
    assertThat(d.made).isEqualTo(1);
    assertThat(d.frames.size()).isEqualTo(1);
  }

  @Test
  void a_frame_still_on_a_stack_at_the_end_is_not_recycled() {
    Model m = new Model(1);
    Domain dom = m.domain("d");
    Doubler d = m.actor(new Doubler(m, dom), dom);
    // "holder" takes the doubler's lock and never releases it: "c"'s call blocks in the handler
    m.thread("holder", dom, Steps.of().lock(d.lock).sleep(1_000_000), 0);
    List<Long> out = new ArrayList<>();
    SimThread c = m.thread("c", dom, new Caller(d, 3, out), 10);
    m.layout(1);
    m.shards()[0].runUntil(1_000);
    assertThat(out).isEmpty();
    assertThat(c.waitingFor()).isSameAs(d.lock);
    assertThat(c.currentFrame()).isInstanceOf(Doubler.TwiceFrame.class);
    assertThat(((Doubler.TwiceFrame) c.currentFrame()).v).isEqualTo(1);
    assertThat(d.frames.size()).isZero();
  }
}
