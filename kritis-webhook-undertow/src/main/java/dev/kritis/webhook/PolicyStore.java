package dev.kritis.webhook;

import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The policy set in force, rebuilt from every feed whenever one changes and swapped in whole.
 * A rebuild that fails (a bad file, a bad object) is logged in one line and reported by
 * /readyz; the last good set stays in force. Nothing is in force until a first build succeeds,
 * and until then the webhook is not ready and denies (fail closed).
 */
final class PolicyStore implements Supplier<PolicySet>, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PolicyStore.class);

  private final List<PolicyFeed> feeds;
  private final Consumer<PolicySet> onSwap;
  private final Runnable onFailure;
  /** One rebuild thread; a change during a rebuild queues exactly one more. */
  private final ExecutorService rebuilder = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
      new LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "kritis-policy-rebuild");
        t.setDaemon(true);
        return t;
      });
  private final AtomicBoolean rebuildQueued = new AtomicBoolean();
  private volatile PolicySet current;
  private volatile String lastError;
  private volatile String waitingFor = "policies not loaded yet";

  PolicyStore(List<PolicyFeed> feeds, Consumer<PolicySet> onSwap, Runnable onFailure) {
    this.feeds = List.copyOf(feeds);
    this.onSwap = onSwap;
    this.onFailure = onFailure;
  }

  /** Starts the feeds and makes a first build attempt synchronously. */
  void start() {
    for (PolicyFeed feed : feeds) {
      feed.start(this::requestRebuild);
    }
    rebuild();
  }

  void requestRebuild() {
    if (rebuildQueued.compareAndSet(false, true)) {
      try {
        rebuilder.execute(() -> {
          rebuildQueued.set(false);
          rebuild();
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        rebuildQueued.set(false); // closed
      }
    }
  }

  synchronized void rebuild() {
    for (PolicyFeed feed : feeds) {
      String reason = feed.notReadyReason();
      if (reason != null) {
        waitingFor = reason;
        return;
      }
    }
    PolicySet.Builder builder = PolicySet.builder();
    try {
      for (PolicyFeed feed : feeds) {
        feed.addTo(builder);
      }
    } catch (PolicyException | RuntimeException e) {
      String message = e instanceof PolicyException ? e.getMessage() : "internal error: " + e;
      lastError = message;
      onFailure.run();
      PolicySet inForce = current;
      LOG.warn("policy reload rejected, {}: {}", inForce == null ? "no policies in force yet"
          : "keeping " + inForce, message.replace('\n', ' '));
      return;
    }
    PolicySet built = builder.build();
    current = built;
    lastError = null;
    waitingFor = null;
    onSwap.accept(built);
    LOG.info("policies loaded: {}", built);
  }

  /** The set in force, or null when none was ever loaded. */
  @Override
  public PolicySet get() {
    return current;
  }

  /** Null when ready; otherwise why not. */
  String notReadyReason() {
    if (current != null) {
      return null;
    }
    String error = lastError;
    if (error != null) {
      return "no valid policy set yet: " + error;
    }
    String waiting = waitingFor;
    return waiting == null ? "policies not loaded yet" : waiting;
  }

  /** The readiness text: what is in force and the last reload error, if any. */
  String status() {
    PolicySet set = current;
    String error = lastError;
    StringBuilder sb = new StringBuilder();
    if (set == null) {
      sb.append("not ready: ").append(notReadyReason());
    } else {
      sb.append("ready: ").append(set);
      if (error != null) {
        sb.append("\nlast reload rejected, previous policy set still in force: ").append(error);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() {
    rebuilder.shutdownNow();
    for (PolicyFeed feed : feeds) {
      feed.close();
    }
  }
}
