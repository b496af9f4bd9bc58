package org.vfiosim.actors;

/**
 * One GPU workload a vGPU submits (an execlist context the guest put on the ring), as the GVT
 * scheduler sees it: the guest memory it reads and writes while scanning and shadowing, its
 * context pages, and how long the real GPU runs it.
 *
 * @param rwGpa guest addresses of the small reads and writes of the scan ({@code kvmgt_rw_gpa})
 * @param rwLen their lengths in bytes
 * @param rwWrite whether each is a write
 * @param ctxGpa guest address of the first context page read in populate_shadow_context
 * @param ctxRuns the context pages split into runs of guest-physically contiguous pages; v5.6 reads
 *     one page per call, v5.10 one call per run (patch 7/7)
 * @param execCycles time the workload runs on the GPU
 */
public record GvtWorkload(Kvmgt vgpu, int engine, long[] rwGpa, int[] rwLen, boolean[] rwWrite, long ctxGpa,
    int[] ctxRuns, long execCycles, long submitted) {

  /** Context pages in all runs. */
  public int ctxPages() {
    int n = 0;
    for (int r : ctxRuns) {
      n += r;
    }
    return n;
  }
}
