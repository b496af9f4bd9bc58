package org.vfiosim.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vfiosim.sim.Engine;
import org.vfiosim.sim.Model;
import org.vfiosim.sim.OpStats;
import org.vfiosim.sim.SimLock;

/**
 * mutex-bench against closed-queue analytics with deterministic times (the issue asks for 1%;
 * the engine is exact, so the tolerance is only there to state the contract).
 */
class MutexBenchTest {

  private static Model run(MutexBench.Params p, int threads) {
    Model m = new Model(1);
    MutexBench.build(m, p);
    m.layout(0);
    Engine.run(m, new Engine.Settings(threads, 1L << 40, Long.MAX_VALUE), ConfigFactory.load(), null);
    return m;
  }

  @ParameterizedTest(name = "N={0} H={1} Z={2}")
  @CsvSource({"64, 300, 0", "16, 300, 1000", "1024, 300, 0", "3, 1000, 2000"})
  void saturated_lock_matches_the_closed_queue_formulas(int n, long h, long z) {
    long k = 400;
    assertThat(n * h).as("saturated").isGreaterThanOrEqualTo(h + z);
    Model m = run(new MutexBench.Params(n, k, h, z, 1), 1);
    OpStats wait = m.opStats().get(MutexBench.OP);
    double steady = n * h - h - z;
    // first round: waits 0, H, ..., (N-1)H; every later acquisition waits N*H - H - Z.
    double exactMean = ((n - 1) * h / 2.0 + (k - 1) * steady) / k;
    assertThat(wait.count()).isEqualTo(n * k);
    assertThat(wait.mean()).isCloseTo(exactMean, within(exactMean * 0.01));
    // percentiles come from HdrHistogram (3 significant digits): within 0.1%
    assertThat((double) wait.percentile(50)).isCloseTo(steady, within(steady * 0.001 + 1));
    assertThat(m.virtualTime()).isEqualTo(k * n * h + z);
    SimLock l = m.locks().get(0);
    assertThat(l.writeStats().acquisitions()).isEqualTo(n * k);
    assertThat(l.writeStats().hold.total()).isEqualTo(n * k * h);
  }

  @ParameterizedTest(name = "N={0} H={1} Z={2}")
  @CsvSource({"4, 100, 1000", "10, 50, 5000", "1, 300, 0"})
  void unsaturated_lock_waits_vanish_after_start_up(int n, long h, long z) {
    long k = 300;
    assertThat(n * h).as("unsaturated").isLessThan(h + z + (n == 1 ? 1 : 0));
    Model m = run(new MutexBench.Params(n, k, h, z, 1), 2);
    OpStats wait = m.opStats().get(MutexBench.OP);
    assertThat(wait.count()).isEqualTo(n * k);
    // only the first round waits (0, H, ..., (N-1)H): total N(N-1)H/2
    assertThat(wait.totalCycles()).isEqualTo((long) n * (n - 1) * h / 2);
    assertThat(wait.percentile(50)).isZero();
    assertThat(m.virtualTime()).isEqualTo(k * (h + z) + (n - 1) * h);
  }

  @ParameterizedTest(name = "threads={0}")
  @CsvSource({"1", "2", "4"})
  void independent_mutexes_behave_as_separate_closed_systems(int threads) {
    Model m = run(new MutexBench.Params(64, 200, 300, 0, 8), threads);
    assertThat(m.shards()).hasSize(8);
    OpStats wait = m.opStats().get(MutexBench.OP);
    double exactMean = (7 * 300 / 2.0 + 199 * (8 * 300 - 300)) / 200;
    assertThat(wait.mean()).isCloseTo(exactMean, within(1e-9));
    assertThat(m.virtualTime()).isEqualTo(200L * 8 * 300);
  }
}
