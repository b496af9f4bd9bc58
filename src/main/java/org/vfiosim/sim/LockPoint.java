package org.vfiosim.sim;

/** One lock_stat contention or contending point: the kernel symbol and how often it was seen. */
public record LockPoint(String symbol, long count) {}
