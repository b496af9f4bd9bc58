package org.vfiosim.script;

import org.vfiosim.kernel.Generation;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed and fully validated script.
 *
 * @param fileName as given to the parser (for messages)
 * @param generation the {@code generation} line's value, else {@link Generation#DEFAULT}
 * @param generationLine the line of the {@code generation} statement, 0 when defaulted
 * @param params every module parameter with its value after the last {@code param} statement
 *     (defaults included). A {@code param} applies from its line on: use {@link
 *     Setup.Vm#dmaEntryLimit()} for the value a container was opened with
 * @param vms the {@code vm} declarations by name, in declaration order
 * @param vgpus the {@code vgpu} declarations by name, in declaration order
 * @param statements every statement in script order (setup statements included, {@code generation}
 *     excluded)
 */
public record Script(
    String fileName,
    Generation generation,
    int generationLine,
    Map<Setup.ParamName, Long> params,
    Map<String, Setup.Vm> vms,
    Map<String, Setup.Vgpu> vgpus,
    List<Stmt> statements) {

  public Script {
    params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    vms = Collections.unmodifiableMap(new LinkedHashMap<>(vms));
    vgpus = Collections.unmodifiableMap(new LinkedHashMap<>(vgpus));
    statements = List.copyOf(statements);
  }

  /** The final {@code dma_entry_limit} (65535 unless set). */
  public long dmaEntryLimit() {
    return params.get(Setup.ParamName.DMA_ENTRY_LIMIT);
  }
}
