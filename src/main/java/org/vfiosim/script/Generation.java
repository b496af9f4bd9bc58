package org.vfiosim.script;

import java.util.Optional;

/** The kernel generation a script runs against ({@code generation G}). */
public enum Generation {
  /** v5.6: device-based pin API only; guest rw through KVM. */
  V5_6("v5.6"),
  /** v5.10, the default: group pin API and {@code vfio_dma_rw} (both appeared in v5.7). */
  V5_10("v5.10"),
  /** v5.10 plus Xiaoyang Xu's contiguous-pin patch (never merged). */
  V5_10_CONTIG("v5.10-contig");

  /** The generation of a script without a {@code generation} line. */
  public static final Generation DEFAULT = V5_10;

  private final String scriptName;

  Generation(String scriptName) {
    this.scriptName = scriptName;
  }

  /** The name as written in scripts ({@code v5.10-contig}). */
  public String scriptName() {
    return scriptName;
  }

  /**
   * Whether the v5.7+ entry points exist: {@code vfio_group_pin_pages}, {@code
   * vfio_group_unpin_pages}, {@code vfio_dma_rw}, {@code vfio_group_get_external_user_from_dev},
   * {@code vfio_group_put_external_user}.
   */
  public boolean hasGroupApi() {
    return this != V5_6;
  }

  public static Optional<Generation> byScriptName(String name) {
    for (Generation g : values()) {
      if (g.scriptName.equals(name)) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return scriptName;
  }
}
