package org.vfiosim.script;

/** What an {@code assert} reads: one record per quantity of the contract, with its arguments. */
public sealed interface Quantity {
  /** The quantity's name in scripts ({@code ref_count}). */
  String keyword();

  /** {@code ref_count VM iova_pfn=P}: the {@code vfio_pfn} ref count at P (0 when not pinned). */
  record RefCount(String vm, long iovaPfn) implements Quantity {
    @Override
    public String keyword() {
      return "ref_count";
    }
  }

  /** {@code pinned VM}: number of {@code vfio_pfn} entries in VM's container. */
  record Pinned(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "pinned";
    }
  }

  /** {@code locked_vm VM}: VM's {@code locked_vm}, in pages. */
  record LockedVm(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "locked_vm";
    }
  }

  /** {@code container_users VGPU}: the group's {@code container_users}. */
  record ContainerUsers(String vgpu) implements Quantity {
    @Override
    public String keyword() {
      return "container_users";
    }
  }

  /** {@code dma_count VM}: mappings in the container. */
  record DmaCount(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "dma_count";
    }
  }

  /** {@code dma_avail VM}: the container's {@code dma_avail}. */
  record DmaAvail(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "dma_avail";
    }
  }

  /** {@code cache_entries VGPU}: kvmgt cache size. */
  record CacheEntries(String vgpu) implements Quantity {
    @Override
    public String keyword() {
      return "cache_entries";
    }
  }

  /** {@code cache_kref VGPU gfn=G}: kref of G's cache entry (0 if none). */
  record CacheKref(String vgpu, long gfn) implements Quantity {
    @Override
    public String keyword() {
      return "cache_kref";
    }
  }

  /** {@code notifier_calls VM}: DMA_UNMAP notifier chain calls so far. */
  record NotifierCalls(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "notifier_calls";
    }
  }

  /** {@code gup_calls VM}: {@code pin_user_pages_remote} calls so far on VM's mm. */
  record GupCalls(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "gup_calls";
    }
  }

  /** {@code acquisitions LOCK OWNER}: acquisitions so far of one instance of a lock class. */
  record Acquisitions(LockName lock, Owner owner) implements Quantity {
    public Acquisitions {
      boolean ok =
          switch (lock.ownerKind()) {
            case HOST -> owner instanceof Owner.Host;
            case VM -> owner instanceof Owner.Vm;
            case VGPU -> owner instanceof Owner.Vgpu;
            case GPU -> owner instanceof Owner.Gpu;
          };
      if (!ok) {
        throw new IllegalArgumentException(lock + " is not owned by " + owner);
      }
    }

    @Override
    public String keyword() {
      return "acquisitions";
    }
  }

  /** {@code unmapped VM}: the size reported by VM's last {@code VFIO_IOMMU_UNMAP_DMA}. */
  record Unmapped(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "unmapped";
    }
  }

  /** {@code bug VM}: 1 if VM's container hit a kernel BUG, else 0. */
  record Bug(String vm) implements Quantity {
    @Override
    public String keyword() {
      return "bug";
    }
  }
}
