package org.vfiosim.sim;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A place in the modelled kernel code that takes a lock, named like the symbol lock_stat prints
 * for a contention point ({@code %pS}), e.g. {@code vfio_iommu_type1_pin_pages}.
 *
 * <p>Call sites are interned; the numeric id never reaches an output (reports sort by name), so
 * class-initialisation order cannot change a result.
 */
public final class CallSite {
  private static final ConcurrentHashMap<String, CallSite> BY_NAME = new ConcurrentHashMap<>();
  private static final AtomicInteger NEXT = new AtomicInteger();

  public final String symbol;
  public final int id;

  private CallSite(String symbol, int id) {
    this.symbol = symbol;
    this.id = id;
  }

  public static CallSite of(String symbol) {
    return BY_NAME.computeIfAbsent(symbol, s -> new CallSite(s, NEXT.getAndIncrement()));
  }

  @Override
  public String toString() {
    return symbol;
  }
}
