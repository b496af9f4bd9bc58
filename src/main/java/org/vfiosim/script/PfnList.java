package org.vfiosim.script;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PrimitiveIterator;
import java.util.function.LongConsumer;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import java.util.Spliterator;
import java.util.Spliterators;

/**
 * A {@code pfns=} list: the iova pfns a pin/unpin call passes, in order, duplicates kept. Stored as
 * the runs the script wrote ({@code 0x10} is a run of one, {@code 0x0+512} a run of 512), never page
 * by page, so {@code 0x0+100000000} costs one run. The total is at most {@link Integer#MAX_VALUE}
 * because the kernel API takes an {@code int npage}.
 *
 * <p>Pfns are unsigned 64-bit values held in a {@code long} bit pattern; a run never wraps past
 * {@code 0xffffffffffffffff}.
 */
public final class PfnList implements Iterable<Long> {
  /** {@code count} consecutive pfns starting at {@code start}. */
  public record Run(long start, long count) {
    public Run {
      if (count < 0 || count > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("run count " + count);
      }
      if (count > 0 && Long.compareUnsigned(start, -1L - (count - 1)) > 0) {
        throw new IllegalArgumentException("run wraps: " + Long.toHexString(start) + "+" + count);
      }
    }

    /** The last pfn of the run (unsigned); meaningless for an empty run. */
    public long last() {
      return start + count - 1;
    }

    @Override
    public String toString() {
      return count == 1 ? "0x" + Long.toHexString(start) : "0x" + Long.toHexString(start) + "+" + count;
    }
  }

  /** {@code pfns=} with nothing after it: npage 0. */
  public static final PfnList EMPTY = new PfnList(List.of());

  private final List<Run> runs;
  private final int count;
  /** {@code offsets[i]} = number of pfns before run i. */
  private final int[] offsets;

  private PfnList(List<Run> runs) {
    this.runs = List.copyOf(runs);
    this.offsets = new int[this.runs.size()];
    long total = 0;
    for (int i = 0; i < this.runs.size(); i++) {
      offsets[i] = (int) total;
      total += this.runs.get(i).count();
      if (total > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("pfn list too long");
      }
    }
    this.count = (int) total;
  }

  /** A list of runs; throws IllegalArgumentException if the total does not fit an int. */
  public static PfnList of(List<Run> runs) {
    return runs.isEmpty() ? EMPTY : new PfnList(runs);
  }

  /** Single pfns, one run each (for tests and callers that have an array). */
  public static PfnList ofPfns(long... pfns) {
    List<Run> r = new ArrayList<>(pfns.length);
    for (long p : pfns) {
      r.add(new Run(p, 1));
    }
    return of(r);
  }

  /** The runs as written, in order. */
  public List<Run> runs() {
    return runs;
  }

  /** npage: the number of pfns, duplicates included. */
  public int count() {
    return count;
  }

  public boolean isEmpty() {
    return count == 0;
  }

  /** The {@code index}-th pfn (0-based), in O(log runs). */
  public long get(int index) {
    if (index < 0 || index >= count) {
      throw new IndexOutOfBoundsException(index);
    }
    int i = Arrays.binarySearch(offsets, index);
    if (i < 0) {
      i = -i - 2;
    } else {
      // several runs may start at the same offset when some are empty: take the last non-empty one
      while (i + 1 < offsets.length && offsets[i + 1] == index) {
        i++;
      }
    }
    return runs.get(i).start() + (index - offsets[i]);
  }

  /** Every pfn in order, without boxing. */
  public void forEachPfn(LongConsumer action) {
    for (Run r : runs) {
      for (long k = 0; k < r.count(); k++) {
        action.accept(r.start() + k);
      }
    }
  }

  @Override
  public PrimitiveIterator.OfLong iterator() {
    return new PrimitiveIterator.OfLong() {
      private int run;
      private long inRun;

      @Override
      public boolean hasNext() {
        while (run < runs.size() && inRun >= runs.get(run).count()) {
          run++;
          inRun = 0;
        }
        return run < runs.size();
      }

      @Override
      public long nextLong() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return runs.get(run).start() + inRun++;
      }
    };
  }

  public LongStream stream() {
    return StreamSupport.longStream(
        Spliterators.spliterator(iterator(), count, Spliterator.ORDERED | Spliterator.SIZED), false);
  }

  /** Materialises the list: only for lists known to be small (the kernel caps a call at 512). */
  public long[] toArray() {
    long[] a = new long[count];
    int[] i = {0};
    forEachPfn(p -> a[i[0]++] = p);
    return a;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PfnList other && runs.equals(other.runs);
  }

  @Override
  public int hashCode() {
    return runs.hashCode();
  }

  /** The list in script syntax, hex ({@code 0x10,0x0+512}); empty for npage 0. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Run r : runs) {
      if (b.length() > 0) {
        b.append(',');
      }
      b.append(r);
    }
    return b.toString();
  }
}
