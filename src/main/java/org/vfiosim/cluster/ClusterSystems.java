package org.vfiosim.cluster;

import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Adapter;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.vfiosim.config.ConfigLoader;
import org.vfiosim.config.UserError;

/**
 * The cluster ActorSystem of {@code vfiosim node} and {@code vfiosim sweep --cluster}: one per
 * JVM, alive for the whole command, apart from the short-lived local ActorSystem each run of a
 * point starts (Engine), which never sees this configuration. Its settings come from, in order of
 * precedence: the command's flags (host, port, seed nodes), Java system properties under
 * {@code akka} and {@code vfiosim-cluster}, {@code conf/cluster.conf}, the {@code akka} section of
 * {@code conf/application.conf} (logging), and Akka's reference configuration.
 */
public final class ClusterSystems {
  /** Every member's ActorSystem name (Akka only joins members of the same name). */
  public static final String SYSTEM = "vfiosim-cluster";
  public static final String CONF = "conf/cluster.conf";

  private ClusterSystems() {}

  /** A parsed {@code HOST:PORT}. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /**
   * Parses {@code HOST:PORT} values (each may hold several, comma-separated); {@code flag} names
   * them in errors.
   */
  public static List<HostPort> parseAddresses(String flag, List<String> values) {
    List<HostPort> out = new ArrayList<>();
    for (String v : values) {
      for (String part : v.split(",", -1)) {
        String t = part.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
          throw new UserError(flag + " " + v + ": expected HOST:PORT, got '" + t + "'");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
          host = host.substring(1, host.length() - 1);
        }
        out.add(new HostPort(host, port(flag + " " + v, t.substring(colon + 1), false)));
      }
    }
    return out;
  }

  /** A port number; 0 (any free port) only when {@code anyAllowed}. */
  public static int port(String what, String s, boolean anyAllowed) {
    int p;
    try {
      p = Integer.parseInt(s.trim());
    } catch (NumberFormatException e) {
      throw new UserError(what + ": port must be a number, got '" + s + "'");
    }
    if (p < (anyAllowed ? 0 : 1) || p > 65535) {
      throw new UserError(what + ": port must be between " + (anyAllowed ? 0 : 1) + " and 65535, got " + p);
    }
    return p;
  }

  /**
   * The configuration of a member listening on {@code host:port} (null host: the one of
   * conf/cluster.conf, 127.0.0.1 as shipped) that joins through {@code seeds} (the first seed
   * started forms the cluster when its own address is first in its list).
   */
  public static Config config(Path home, String host, int port, List<HostPort> seeds) {
    Path file = home.resolve(CONF);
    Config fileConf = ConfigLoader.parseFile(file, "cluster configuration");
    Config appConf = ConfigLoader.loadDefaults(home).withOnlyPath("akka");
    Config sys = ConfigFactory.systemProperties();
    Config props = sys.withOnlyPath("akka").withFallback(sys.withOnlyPath("vfiosim-cluster"));
    Config base = props.withFallback(fileConf).withFallback(appConf).withFallback(ConfigFactory.defaultReference());
    String h = host != null ? host : base.getString("akka.remote.artery.canonical.hostname");
    List<String> seedUris = new ArrayList<>();
    for (HostPort s : seeds) {
      seedUris.add("akka://" + SYSTEM + "@" + uriHost(s.host()) + ":" + s.port());
    }
    Map<String, Object> flags = new HashMap<>();
    flags.put("akka.remote.artery.canonical.hostname", h);
    flags.put("akka.remote.artery.canonical.port", port);
    flags.put("akka.cluster.seed-nodes", seedUris);
    Config c = ConfigFactory.parseMap(flags).withFallback(base);
    try {
      c = c.resolve();
      c.getDuration("vfiosim-cluster.down-unreachable-after");
      c.getDuration("vfiosim-cluster.result-resend-interval");
    } catch (ConfigException e) {
      throw new UserError(file + ": " + e.getMessage());
    }
    return c;
  }

  private static String uriHost(String host) {
    return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
  }

  /** Starts the member's ActorSystem; a port already in use is the user's error. */
  public static <T> ActorSystem<T> start(Behavior<T> guardian, Config config) {
    org.slf4j.LoggerFactory.getILoggerFactory();
    try {
      return ActorSystem.create(guardian, SYSTEM, config);
    } catch (ConfigException e) {
      throw new UserError(CONF + ": " + e.getMessage());
    } catch (RuntimeException e) {
      Throwable root = e;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      if (root instanceof java.net.BindException || root instanceof java.net.UnknownHostException
          || String.valueOf(e.getMessage()).contains("Failed to bind")) {
        throw new UserError("cannot listen on " + config.getString("akka.remote.artery.canonical.hostname") + ":"
            + config.getInt("akka.remote.artery.canonical.port") + ": " + root.getMessage());
      }
      throw e;
    }
  }

  /**
   * Waits until this member is Up in the cluster. If no seed answers within {@code timeout}, stops
   * the system and throws a {@link UserError} naming the seeds.
   */
  public static void awaitUp(ActorSystem<?> system, Duration timeout, List<HostPort> seeds) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    akka.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(null));
    try {
      up.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      terminate(system);
      List<String> s = new ArrayList<>();
      seeds.forEach(x -> s.add(x.toString()));
      throw new UserError("cannot join the cluster through " + String.join(", ", s) + " within "
          + timeout.toSeconds() + " s: no seed node answered (is 'vfiosim node' running there, reachable from "
          + hostPort(selfAddress(system)) + ", and the same vfiosim?)");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      terminate(system);
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      terminate(system);
      throw new IllegalStateException(e.getCause());
    }
  }

  /** This member's address. */
  public static Address selfAddress(ActorSystem<?> system) {
    return akka.cluster.typed.Cluster.get(system).selfMember().address();
  }

  /** {@code host:port} of an address. */
  public static String hostPort(Address a) {
    return a.getHost().orElse("?") + ":" + a.getPort().map(String::valueOf).orElse("?");
  }

  /** Leaves the cluster (coordinated shutdown) and waits up to 30 s for the system to stop. */
  public static void terminate(ActorSystem<?> system) {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      // Leaving took too long; the JVM exits anyway.
    }
  }
}
