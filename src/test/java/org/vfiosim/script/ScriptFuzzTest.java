package org.vfiosim.script;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing: whatever the input, {@link ScriptParser#parse} returns a Script or throws a
 * {@link ScriptError} whose message is one {@code FILE:LINE: text} line with a line inside the
 * input; never another exception. Every input has its own seed (base + index), printed on failure;
 * set {@code -Dvfiosim.fuzz.seed=N} to move the base.
 */
class ScriptFuzzTest {
  private static final long BASE_SEED = Long.getLong("vfiosim.fuzz.seed", 0x5eed_0f_f1e5L);
  private static final int PER_GENERATOR = 3000;
  private static final Pattern MESSAGE = Pattern.compile("^[^:]+:\\d+: .+$");

  private static final String[] VOCAB = {
    "generation", "v5.6", "v5.10", "v5.10-contig", "param", "dma_entry_limit=", "vm", "vgpu", "mmio",
    "vm1", "vm2", "v1", "v2", "kthread", "host", "gpu0", "gpu01",
    "VFIO_IOMMU_MAP_DMA", "VFIO_IOMMU_UNMAP_DMA", "VFIO_GROUP_UNSET_CONTAINER", "intel_vgpu_open",
    "intel_vgpu_release", "vfio_pin_pages", "vfio_unpin_pages", "vfio_group_pin_pages",
    "vfio_group_unpin_pages", "vfio_group_get_external_user_from_dev", "vfio_group_put_external_user",
    "vfio_dma_rw", "kvmgt_dma_map_guest_page", "kvmgt_dma_unmap_guest_page", "kvmgt_rw_gpa",
    "qemu_exit", "reset_counters", "assert", "parallel", "{", "}", "==", "=", "#", ",", "+",
    "iova=", "size=", "vaddr=", "flags=", "prot=", "pfns=", "len=", "gfn=", "gpa=", "ctx=", "expect=",
    "mem=", "memlock=", "iommu=", "backing=", "devices=", "notifier=", "vm=", "iova_pfn=",
    "read", "write", "cap_ipc_lock", "iommu_backed", "READ", "WRITE", "READ,WRITE", "unlimited",
    "type1", "type1v2", "scattered", "contiguous", "ok", "ignore", "BUG", "-EINVAL", "-E2BIG", "-EFOO",
    "0", "1", "0x10", "0x0+513", "4K", "64K", "2M", "1G", "0xffffffffffffffff", "99999999999999999999",
    "-1", "0x", "1,2,3", "0x0+0x100000000", "2147483647",
    "ref_count", "pinned", "locked_vm", "container_users", "dma_count", "dma_avail", "cache_entries",
    "cache_kref", "notifier_calls", "gup_calls", "acquisitions", "unmapped", "bug",
    "vfio.group_lock", "&iommu->lock", "&mm->mmap_lock-W", "&gvt->sched_lock", "&vdev->cache_lock",
    "kvm->srcu", "\u2028", "\u0000", "\ud800", "é", "\t", "\r",
  };

  private static final String[] INSERTS = {
    "=", ",", "+", "{", "}", "#", "-", "x", "0", "9", "K", " ", "\n", "==", "0x", "\r", "\u0085",
    "\u2028", "\ud83d", "99999999999999999999999", "parallel {\n", "\n}\n", "=,", "+0x",
  };

  private static List<String> corpus;

  private static List<String> corpus() throws Exception {
    if (corpus == null) {
      List<String> c = new ArrayList<>();
      for (String name : ScriptExamplesTest.scripts().toList()) {
        c.add(Files.readString(ScriptExamplesTest.path(name), StandardCharsets.UTF_8));
      }
      corpus = c;
    }
    return corpus;
  }

  @Test
  void randomBytes() {
    run("bytes", r -> {
      byte[] b = new byte[r.nextInt(300)];
      r.nextBytes(b);
      // bias towards newlines and blanks so that several lines and words appear
      for (int i = 0; i < b.length; i++) {
        int k = r.nextInt(10);
        if (k == 0) {
          b[i] = '\n';
        } else if (k == 1) {
          b[i] = ' ';
        }
      }
      return r.nextBoolean()
          ? new String(b, StandardCharsets.UTF_8)
          : new String(b, StandardCharsets.ISO_8859_1);
    });
  }

  @Test
  void randomTokens() {
    run("tokens", r -> {
      StringBuilder sb = new StringBuilder();
      int lines = r.nextInt(12);
      if (r.nextInt(4) == 0) {
        sb.append("vm vm1\nvgpu v1 vm=vm1\n");
      }
      for (int l = 0; l < lines; l++) {
        int words = r.nextInt(8);
        for (int w = 0; w < words; w++) {
          String a = VOCAB[r.nextInt(VOCAB.length)];
          // glue a value to keys sometimes
          if (a.endsWith("=") && r.nextBoolean()) {
            a += VOCAB[r.nextInt(VOCAB.length)];
          }
          sb.append(a).append(r.nextInt(6) == 0 ? "" : " ");
        }
        sb.append('\n');
      }
      return sb.toString();
    });
  }

  @Test
  void mutatedValidScripts() throws Exception {
    List<String> c = corpus();
    run("mutations", r -> {
      String s = c.get(r.nextInt(c.size()));
      int n = 1 + r.nextInt(4);
      for (int i = 0; i < n; i++) {
        s = mutate(s, r);
      }
      return s;
    });
  }

  private static final String[] FRAGMENTS = {
    "0", "1", "7", "9", "0x", "f", "F", "a", "K", "M", "G", "k", "-", "+", ",", "x", "=", "E",
    "99999999999", "0xffffffff", "READ", "WRITE", "unlimited", "BUG", "-EINVAL", "",
  };

  private static final String[] TEMPLATES = {
    "VFIO_IOMMU_MAP_DMA vm1 iova=%s size=4K flags=READ",
    "VFIO_IOMMU_MAP_DMA vm1 iova=0 size=%s vaddr=%s flags=%s expect=%s",
    "VFIO_IOMMU_UNMAP_DMA vm1 iova=%s size=%s",
    "vfio_group_pin_pages v1 pfns=%s prot=%s expect=%s",
    "vfio_unpin_pages v1 pfns=%s,%s",
    "vfio_dma_rw v1 iova=%s len=%s read ctx=%s",
    "kvmgt_dma_map_guest_page v1 gfn=%s size=%s",
    "kvmgt_rw_gpa v1 gpa=%s len=%s write expect=%s",
    "vm vm2 mem=%s memlock=%s",
    "vgpu v2 vm=vm1 devices=%s",
    "param dma_entry_limit=%s",
    "mmio vm1 vaddr=%s size=%s",
    "assert ref_count vm1 iova_pfn=%s == %s",
    "assert cache_kref v1 gfn=%s == %s",
    "assert acquisitions &gvt->sched_lock gpu%s == %s",
    "qemu_exit vm1 expect=%s",
  };

  @Test
  void randomValues() {
    run("values", r -> {
      String t = TEMPLATES[r.nextInt(TEMPLATES.length)];
      int holes = t.split("%s", -1).length - 1;
      Object[] values = new Object[holes];
      for (int h = 0; h < holes; h++) {
        StringBuilder v = new StringBuilder();
        int parts = r.nextInt(5);
        for (int p = 0; p < parts; p++) {
          v.append(FRAGMENTS[r.nextInt(FRAGMENTS.length)]);
        }
        values[h] = v.toString();
      }
      return "vm vm1\nvgpu v1 vm=vm1\n" + String.format(t, values) + "\n";
    });
  }

  @Test
  void corpusIsValidToStartWith() throws Exception {
    for (String s : corpus()) {
      ScriptParser.parse("t.vfs", s);
    }
  }

  private static String mutate(String s, Random r) {
    List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
    int li = r.nextInt(lines.size());
    String line = lines.get(li);
    switch (r.nextInt(12)) {
      case 0 -> lines.set(li, line.substring(0, r.nextInt(line.length() + 1))); // truncated line
      case 1 -> lines.set(li, line.replaceFirst("=", " ")); // dropped '='
      case 2 -> lines.set(li, line.replaceFirst("=", "")); // glued key and value
      case 3 -> lines.set(li, line.replaceAll("\\b(0x[0-9a-f]+|[0-9]+[KMG]?)\\b", hugeNumber(r)));
      case 4 -> lines.set(li, line.replaceFirst("\\b([a-z_]+)=", "$1x=")); // unknown key
      case 5 -> lines.add(li, r.nextBoolean() ? "}" : "parallel {"); // stray brace
      case 6 -> lines.remove(li);
      case 7 -> lines.add(li, line); // duplicated line (duplicate declarations, generation)
      case 8 -> {
        // insert at a random place, or right after a word (glued to a value)
        int pos = r.nextInt(line.length() + 1);
        if (r.nextBoolean()) {
          int blank = line.indexOf(' ', pos);
          pos = blank < 0 ? line.length() : blank;
        }
        lines.set(li, line.substring(0, pos) + INSERTS[r.nextInt(INSERTS.length)] + line.substring(pos));
      }
      case 9 -> {
        if (!line.isEmpty()) {
          int pos = r.nextInt(line.length());
          lines.set(li, line.substring(0, pos) + line.substring(pos + 1)); // deleted char
        }
      }
      case 10 -> {
        int lj = r.nextInt(lines.size());
        lines.set(li, lines.get(lj));
        lines.set(lj, line); // swapped lines: use before declaration, generation not first
      }
      default -> {
        String[] w = line.split(" ");
        w[r.nextInt(w.length)] = VOCAB[r.nextInt(VOCAB.length)];
        lines.set(li, String.join(" ", w));
      }
    }
    return String.join("\n", lines);
  }

  private static String hugeNumber(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> "99999999999999999999";
      case 1 -> "0x" + "f".repeat(1 + r.nextInt(20));
      case 2 -> "9223372036854775807";
      case 3 -> "9223372036854775808";
      case 4 -> "0x0+" + (1L << (20 + r.nextInt(40)));
      default -> Long.toString(r.nextLong());
    };
  }

  private static void run(String generator, Function<Random, String> make) {
    for (int i = 0; i < PER_GENERATOR; i++) {
      long seed = BASE_SEED + i;
      String input = make.apply(new Random(seed));
      check(generator, seed, input);
    }
  }

  /** The whole input in Java string syntax, for a failure message. */
  private static String escape(String input) {
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < input.length(); k++) {
      char c = input.charAt(k);
      if (c == '\n') {
        b.append("\\n");
      } else if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || c >= 0x7f) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }

  private static void check(String generator, long seed, String input) {
    String where = generator + " seed " + seed + " input \"" + escape(input) + "\"";
    int lines = 1;
    for (int k = 0; k < input.length(); k++) {
      if (input.charAt(k) == '\n') {
        lines++;
      }
    }
    try {
      Script s = ScriptParser.parse("f.vfs", input);
      int previous = 0;
      for (Stmt st : s.statements()) {
        assertThat(st.line()).as(where).isGreaterThan(previous).isLessThanOrEqualTo(lines);
        assertThat(st.text()).as(where).isNotEmpty();
        previous = st.line();
      }
      assertThat(ScriptParser.parse("f.vfs", input)).as(where).isEqualTo(s);
    } catch (ScriptError e) {
      assertThat(e.getMessage()).as(where).matches(MESSAGE).startsWith("f.vfs:");
      assertThat(e.line()).as(where).isBetween(1, lines);
    } catch (Throwable t) {
      fail(where + " threw " + t, t);
    }
  }
}
