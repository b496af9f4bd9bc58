package org.vfiosim.actors;

/**
 * The task a simulated thread stands for, as kernel code sees {@code current}: a user thread of a
 * QEMU process ({@code current->mm} is that VM's mm) or a kernel thread ({@code mm == NULL}, e.g.
 * the GVT workload thread). Set as the thread's attachment.
 */
public record Task(String name, Mm mm) {
  public static Task kthread(String name) {
    return new Task(name, null);
  }

  public boolean isKthread() {
    return mm == null;
  }
}
