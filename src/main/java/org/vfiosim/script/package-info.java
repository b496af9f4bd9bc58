/**
 * Op scripts ({@code .vfs}, {@code /work/shared/docs/script-format.md}): parser, validator and
 * typed AST. Running a script is not done here.
 *
 * <p>Entry point: {@link org.vfiosim.script.ScriptParser#parse(String, String)} returns a {@link
 * org.vfiosim.script.Script} or throws {@link org.vfiosim.script.ScriptError} ({@code FILE:LINE:
 * what is wrong}, one line; the whole script is checked before anything runs). The AST is {@link
 * org.vfiosim.script.Stmt} → {@link org.vfiosim.script.Setup} | {@link org.vfiosim.script.Step}
 * ({@link org.vfiosim.script.Call}, {@link org.vfiosim.script.Assert}) | {@link
 * org.vfiosim.script.Parallel}; every record has its line and source text, and the contract's
 * defaults are already filled in.
 *
 * <p>Where the contract leaves room, this package decides as follows (additions only; nothing the
 * contract allows is rejected):
 *
 * <ul>
 *   <li><b>Numbers</b>: decimal, or {@code 0x} + 1–16 hex digits (either case); {@code 0X} is not
 *       hex. Decimal numbers may carry an upper-case size suffix {@code K M G} (×1024, ×1024²,
 *       ×1024³) in every numeric position, so {@code 8G} and {@code 512M} work as well as the listed
 *       {@code 4K 64K 2M 1G}; lower case and suffixes on hex are rejected. Decimal values must fit a
 *       signed long; hex values are unsigned 64-bit bit patterns ({@code 0xffffffffffffffff} is -1L,
 *       which for {@code memlock=} equals {@code unlimited}, RLIM_INFINITY). A sign is only allowed
 *       in {@code expect=} (kernel return values); assert values are non-negative.
 *   <li><b>flags= / prot=</b>: {@code READ}, {@code WRITE}, or both comma-separated in either order,
 *       each once; {@code READ|WRITE} is rejected. Addition: a number gives the raw bits (up to 32),
 *       so {@code flags=0} (no READ/WRITE) and {@code flags=0x4} (unknown bit) can reach the
 *       kernel's -EINVAL checks.
 *   <li><b>pfns=</b>: {@code P+0} is accepted and contributes nothing. A run may not go past
 *       {@code 0xffffffffffffffff}; the total must fit an int ({@code pfn list too long}).
 *   <li><b>kvmgt_dma_map_guest_page size=</b> must be 4K, 64K or 2M (any spelling of those values).
 *   <li><b>expect=</b>: a number, {@code -ENAME} from {@link org.vfiosim.script.Errno}, or {@code
 *       BUG}; {@code EINVAL} without the minus is an error. Every entry point accepts it, {@code
 *       reset_counters} included (it returns 0).
 *   <li><b>Names</b> of VMs and vGPUs: a letter or {@code _}, then letters, digits, {@code _ . -};
 *       VMs and vGPUs share one namespace; {@code kthread} cannot name a VM ({@code ctx=kthread}).
 *       A name must be declared on an earlier line.
 *   <li><b>param</b> may appear anywhere at top level and more than once: it writes the module
 *       parameter at that point, and each {@code vm} records the {@code dma_entry_limit} in effect
 *       at its line ({@link org.vfiosim.script.Setup.Vm#dmaEntryLimit()}), as a container copies it
 *       when opened. {@code vm}, {@code vgpu}, {@code mmio} may also come after calls.
 *   <li><b>parallel</b>: <code>parallel {</code> and <code>}</code> each on a line of their own (comments
 *       allowed); blocks do not nest, may be empty, and may hold calls, {@code reset_counters} and
 *       assertions, but no setup statement.
 *   <li><b>generation</b> may be preceded only by comments and blank lines; a second one is an
 *       error ("given twice").
 *   <li><b>Lines</b> end at {@code \n}; blanks are space and tab, and also CR, FF, VT so that CRLF
 *       files work. The first error by line is reported; an unclosed block is reported at its
 *       {@code parallel} line.
 * </ul>
 */
package org.vfiosim.script;

import org.vfiosim.kernel.Errno;
