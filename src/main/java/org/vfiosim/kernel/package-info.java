/**
 * Pure kernel state of the VFIO / type1 / kvmgt paths: no actors, no locks, no timing.
 *
 * <p>Simulated actors own these objects and call their single-step operations from their
 * kernel-path state machines; which lock is held around a step, what it costs and who waits is
 * decided there, never here. Every rule carries a comment naming the kernel function it comes from
 * (v5.10 unless marked), following {@code docs/reference/kernel-vfio-semantics.md}.
 *
 * <p>Memory: guest memory is never materialised page by page. Only pinned pages ({@link
 * org.vfiosim.kernel.VfioPfn}, {@link org.vfiosim.kernel.MmState} pin counts) and kvmgt cache entries
 * ({@link org.vfiosim.kernel.GvtCache.GvtDma}) have per-page objects.
 *
 * <p>Return convention: kernel-style {@code int}/{@code long} results, 0 or a positive count on
 * success and {@code -errno} ({@link org.vfiosim.kernel.Errno}) on failure. Exceptions are reserved
 * for simulator bugs (a broken precondition), never for something the kernel reports.
 */
package org.vfiosim.kernel;
