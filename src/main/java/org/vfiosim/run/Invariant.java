package org.vfiosim.run;

import java.util.List;

/** An end-of-run invariant (design §6): returns the violations it finds, empty when it holds. */
public interface Invariant {
  String name();

  List<String> check();

  static Invariant of(String name, java.util.function.Supplier<List<String>> check) {
    return new Invariant() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public List<String> check() {
        return check.get();
      }
    };
  }
}
