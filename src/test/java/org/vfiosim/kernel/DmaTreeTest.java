package org.vfiosim.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.vfiosim.kernel.KernelConstants.PAGE_SIZE;

import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DmaTreeTest {
  private final MmState mm = new MmState(GuestBacking.contiguous(0, PAGE_SIZE));
  private final DmaTree tree = new DmaTree();

  private VfioDma dma(long iova, long size) {
    return new VfioDma(iova, 0x7f0000000000L + iova, size, Prot.RW, false, mm);
  }

  @Test
  void findReturnsTheLowestOverlappingDma() {
    VfioDma a = dma(0x1000, 0x1000);
    VfioDma b = dma(0x3000, 0x2000);
    VfioDma c = dma(0x8000, 0x1000);
    tree.insert(c);
    tree.insert(a);
    tree.insert(b);
    assertThat(tree.find(0, 0x10000)).isSameAs(a);
    assertThat(tree.find(0x1800, 0x10000)).isSameAs(a);
    assertThat(tree.find(0x2000, 0x10000)).isSameAs(b);
    assertThat(tree.find(0x4fff, 1)).isSameAs(b);
    assertThat(tree.find(0x5000, 0x3000)).isNull();
    assertThat(tree.find(0x5000, 0x3001)).isSameAs(c);
    assertThat(tree.find(0x9000, 0x1000)).isNull();
    assertThat(tree.find(0, 0x1000)).isNull();
    assertThat(tree.overlapping(0, 0x10000)).containsExactly(a, b, c);
    assertThat(tree.overlapping(0x2000, 0x6001)).containsExactly(b, c);
  }

  @Test
  void sizeZeroFindsOnlyAnAddressStrictlyInsideADma() {
    // vfio_dma_do_unmap()'s second v2 check uses vfio_find_dma(iommu, last, 0)
    VfioDma b = dma(0x3000, 0x2000);
    tree.insert(b);
    assertThat(tree.find(0x3000, 0)).isNull();
    assertThat(tree.find(0x3001, 0)).isSameAs(b);
    assertThat(tree.find(0x4fff, 0)).isSameAs(b);
    assertThat(tree.find(0x5000, 0)).isNull();
  }

  @Test
  void containingAndUnsignedAddresses() {
    VfioDma top = dma(-4 * PAGE_SIZE, 2 * PAGE_SIZE);
    VfioDma low = dma(0, PAGE_SIZE);
    tree.insert(top);
    tree.insert(low);
    assertThat(tree.containing(-3 * PAGE_SIZE)).isSameAs(top);
    assertThat(tree.containing(5)).isSameAs(low);
    assertThat(tree.containing(PAGE_SIZE)).isNull();
    assertThat(tree.first()).isSameAs(low); // 0 sorts before 0xffff...c000
    List<VfioDma> inOrder = new ArrayList<>();
    tree.forEach(inOrder::add);
    assertThat(inOrder).containsExactly(low, top);
  }

  @Test
  void insertRejectsOverlapsAndRemoveRejectsStrangers() {
    tree.insert(dma(0x1000, 0x2000));
    assertThatThrownBy(() -> tree.insert(dma(0x2000, 0x1000))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tree.insert(dma(0, 0x2000))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> tree.insert(dma(0x1000, 0x1000))).isInstanceOf(IllegalStateException.class);
    tree.insert(dma(0x3000, 0x1000)); // adjacent is fine
    assertThat(tree.count()).isEqualTo(2);
    VfioDma stranger = dma(0x1000, 0x2000);
    assertThatThrownBy(() -> tree.remove(stranger)).isInstanceOf(IllegalStateException.class);
    tree.remove(tree.containing(0x1000));
    assertThat(tree.count()).isEqualTo(1);
    assertThat(tree.containing(0x1000)).isNull();
  }

  @Test
  void depthIsThatOfABalancedTree() {
    assertThat(tree.depth()).isZero();
    int[] expect = {1, 2, 2, 3, 3, 3, 3, 4};
    for (int i = 0; i < expect.length; i++) {
      tree.insert(dma(i * PAGE_SIZE, PAGE_SIZE));
      assertThat(tree.depth()).as("n=%d", i + 1).isEqualTo(expect[i]);
    }
    for (int i = expect.length; i < 65535; i++) {
      tree.insert(dma(i * PAGE_SIZE, PAGE_SIZE));
    }
    assertThat(tree.count()).isEqualTo(65535);
    assertThat(tree.depth()).isEqualTo(16);
  }

  @Test
  void findAgreesWithALinearScan() {
    long seed = 20201110L;
    Random r = new Random(seed);
    List<VfioDma> all = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      long iova = r.nextInt(4096) * PAGE_SIZE;
      long size = (1 + r.nextInt(8)) * PAGE_SIZE;
      VfioDma d = dma(iova, size);
      if (tree.find(iova, size) == null) {
        tree.insert(d);
        all.add(d);
      }
    }
    for (int q = 0; q < 5000; q++) {
      long start = r.nextInt(4200 * 4096);
      long size = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(20 * 4096);
      VfioDma expect = null;
      for (VfioDma d : all) {
        boolean hit = size == 0
            ? start > d.iova() && start < d.iova() + d.size()
            : start < d.iova() + d.size() && d.iova() < start + size;
        if (hit && (expect == null || d.iova() < expect.iova())) {
          expect = d;
        }
      }
      assertThat(tree.find(start, size)).as("seed %d start %x size %x", seed, start, size).isSameAs(expect);
    }
  }

  @Test
  void agreesWithAnUnsignedTreeMapUnderInsertsAndRemoves() {
    // the reference is the TreeMap<Long, VfioDma>(Long::compareUnsigned) this class used to be
    long seed = 20240601L;
    Random r = new Random(seed);
    TreeMap<Long, VfioDma> ref = new TreeMap<>(Long::compareUnsigned);
    for (int step = 0; step < 4000; step++) {
      // iovas on both sides of the sign bit, so that unsigned order matters
      long iova = (r.nextBoolean() ? 0 : Long.MIN_VALUE) + r.nextInt(512) * PAGE_SIZE;
      long size = (1 + r.nextInt(6)) * PAGE_SIZE;
      if (r.nextInt(3) > 0) {
        VfioDma d = dma(iova, size);
        if (tree.find(iova, size) == null) {
          tree.insert(d);
          ref.put(iova, d);
        } else {
          assertThatThrownBy(() -> tree.insert(d)).isInstanceOf(IllegalStateException.class);
        }
      } else {
        VfioDma d = tree.containing(iova);
        if (d != null) {
          tree.remove(d);
          ref.remove(d.iova());
        }
      }
      long start = (r.nextBoolean() ? 0 : Long.MIN_VALUE) + r.nextInt(520 * 4096);
      long len = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(8 * 4096);
      Map.Entry<Long, VfioDma> fl = ref.floorEntry(start);
      Map.Entry<Long, VfioDma> hi = ref.higherEntry(start);
      VfioDma expect = fl != null && overlapsRef(fl.getValue(), start, len) ? fl.getValue()
          : hi != null && overlapsRef(hi.getValue(), start, len) ? hi.getValue() : null;
      assertThat(tree.find(start, len)).as("seed %d step %d", seed, step).isSameAs(expect);
      assertThat(tree.count()).isEqualTo(ref.size());
      assertThat(tree.first()).isSameAs(ref.isEmpty() ? null : ref.firstEntry().getValue());
    }
    assertThat(tree.snapshot()).containsExactlyElementsOf(ref.values());
    List<VfioDma> inOrder = new ArrayList<>();
    tree.forEach(inOrder::add);
    assertThat(inOrder).containsExactlyElementsOf(ref.values());
  }

  private static boolean overlapsRef(VfioDma d, long start, long size) {
    return Long.compareUnsigned(start + size, d.iova()) > 0 && Long.compareUnsigned(start, d.iova() + d.size()) < 0;
  }

  @Test
  void removeKeepsOrderAndIterationFailsFastOnAChange() {
    VfioDma a = dma(0x1000, 0x1000);
    VfioDma b = dma(0x3000, 0x1000);
    VfioDma c = dma(0x5000, 0x1000);
    tree.insert(b);
    tree.insert(c);
    tree.insert(a);
    tree.remove(b);
    assertThat(tree.snapshot()).containsExactly(a, c);
    assertThat(tree.containing(0x3000)).isNull();
    assertThat(tree.overlapping(0, 0x10000)).containsExactly(a, c);
    Iterator<VfioDma> it = tree.iterator();
    assertThat(it.next()).isSameAs(a);
    assertThatThrownBy(it::remove).isInstanceOf(UnsupportedOperationException.class);
    tree.insert(b);
    assertThatThrownBy(it::next).isInstanceOf(ConcurrentModificationException.class);
    for (VfioDma d : tree.snapshot()) {
      tree.remove(d); // a snapshot may be iterated while removing
    }
    assertThat(tree.isEmpty()).isTrue();
    assertThat(tree.first()).isNull();
    assertThatThrownBy(() -> tree.remove(a)).isInstanceOf(IllegalStateException.class);
  }
}
