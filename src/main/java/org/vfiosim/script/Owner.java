package org.vfiosim.script;

/**
 * The instance of a lock class an {@code assert acquisitions LOCK OWNER} reads: the global
 * {@code host}, a declared VM, a declared vGPU, or a GPU ({@code gpuN}).
 */
public sealed interface Owner {
  /** The owner as written in the script. */
  String text();

  /** The one global instance ({@code vfio.group_lock}). */
  record Host() implements Owner {
    @Override
    public String text() {
      return "host";
    }
  }

  /** A declared VM (its container, mm, KVM). */
  record Vm(String name) implements Owner {
    @Override
    public String text() {
      return name;
    }
  }

  /** A declared vGPU (its group, kvmgt state). */
  record Vgpu(String name) implements Owner {
    @Override
    public String text() {
      return name;
    }
  }

  /** A physical GPU, {@code gpuN} ({@code &gvt->sched_lock}). */
  record Gpu(int index) implements Owner {
    public Gpu {
      if (index < 0) {
        throw new IllegalArgumentException("gpu index " + index);
      }
    }

    @Override
    public String text() {
      return "gpu" + index;
    }
  }
}
