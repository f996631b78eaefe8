package dev.kritis.webhook;

import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Policy directories, polled for changes. Polling (name, size, mtime of every file) rather than a
 * WatchService: it sees changes below subdirectories and through the symlink swaps a Kubernetes
 * ConfigMap volume makes, which inotify-based watching misses.
 */
final class DirectoryPolicyFeed implements PolicyFeed {
  private final List<Path> paths;
  private final Duration interval;
  private ScheduledExecutorService poller;
  private volatile String fingerprint = "";

  DirectoryPolicyFeed(List<Path> paths, Duration interval) {
    this.paths = List.copyOf(paths);
    this.interval = interval;
  }

  @Override
  public void start(Runnable changed) {
    fingerprint = fingerprint();
    poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kritis-policy-poll");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(() -> {
      String now = fingerprint();
      if (!now.equals(fingerprint)) {
        fingerprint = now;
        changed.run();
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private String fingerprint() {
    StringBuilder sb = new StringBuilder();
    for (Path root : paths) {
      sb.append(root).append('\n');
      try (Stream<Path> walk = Files.walk(root)) {
        for (Path p : walk.sorted().collect(Collectors.toList())) {
          BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
          sb.append(p).append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append('\n');
        }
      } catch (IOException | RuntimeException e) {
        sb.append("unreadable: ").append(e.getMessage()).append('\n');
      }
    }
    return sb.toString();
  }

  @Override
  public String notReadyReason() {
    return null;
  }

  @Override
  public void addTo(PolicySet.Builder builder) throws PolicyException {
    for (Path path : paths) {
      builder.addPath(path);
    }
  }

  @Override
  public String describe() {
    return "policy files in " + paths.stream().map(Path::toString).collect(Collectors.joining(", "));
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
