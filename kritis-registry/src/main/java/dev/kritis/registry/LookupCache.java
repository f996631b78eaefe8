package dev.kritis.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A bounded, expiring cache of lookups that also coalesces identical concurrent lookups: while
 * one caller loads a key, others asking for it wait for that result (each only until its own
 * deadline) instead of sending the same request again.
 *
 * <p>Failures are never cached: the next caller tries again. Each loaded value says how long it
 * may be kept (zero: not at all), so callers can keep positive and negative results for
 * different times.
 */
final class LookupCache<K, V> {
  /** A loaded value and how long it may be reused. */
  static final class Timed<V> {
    final V value;
    final Duration ttl;

    Timed(V value, Duration ttl) {
      this.value = value;
      this.ttl = ttl;
    }
  }

  interface Loader<V> {
    Timed<V> load() throws RegistryException;
  }

  private static final class Entry<V> {
    final V value;
    final Instant expires;

    Entry(V value, Instant expires) {
      this.value = value;
      this.expires = expires;
    }
  }

  private final int maxEntries;
  private final Clock clock;
  private final Map<K, Entry<V>> entries;
  private final ConcurrentHashMap<K, CompletableFuture<Timed<V>>> inFlight = new ConcurrentHashMap<>();

  LookupCache(int maxEntries, Clock clock) {
    this.maxEntries = maxEntries;
    this.clock = clock;
    // Access-ordered: the least recently used entry goes first when the cache is full.
    this.entries = new LinkedHashMap<>(16, 0.75f, true) {
      private static final long serialVersionUID = 1L;

      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Entry<V>> eldest) {
        return size() > LookupCache.this.maxEntries;
      }
    };
  }

  V get(K key, Instant deadline, String action, Loader<V> loader) throws RegistryException {
    while (true) {
      synchronized (entries) {
        Entry<V> entry = entries.get(key);
        if (entry != null) {
          if (clock.instant().isBefore(entry.expires)) {
            return entry.value;
          }
          entries.remove(key);
        }
      }
      CompletableFuture<Timed<V>> mine = new CompletableFuture<>();
      CompletableFuture<Timed<V>> running = inFlight.putIfAbsent(key, mine);
      if (running == null) {
        return loadAsLeader(key, mine, loader);
      }
      try {
        long waitNanos = Duration.between(clock.instant(), deadline).toNanos();
        if (waitNanos <= 0) {
          throw RegistryException.deadline("Tried to " + action + " but failed because the deadline passed");
        }
        return running.get(waitNanos, TimeUnit.NANOSECONDS).value;
      } catch (TimeoutException e) {
        throw RegistryException.deadline("Tried to " + action
            + " but failed because the deadline passed while an identical request was still running");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw RegistryException.failed("Tried to " + action + " but failed because the thread was interrupted");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RegistryException) {
          RegistryException failure = (RegistryException) cause;
          // The leader ran out of its own (earlier) deadline: if we still have time, try ourselves.
          if (failure.kind() == RegistryException.Kind.DEADLINE && clock.instant().isBefore(deadline)) {
            continue;
          }
          throw failure.copyForWaiter();
        }
        throw RegistryException.failed("Tried to " + action + " but failed because of an internal error: " + cause, cause);
      }
    }
  }

  private V loadAsLeader(K key, CompletableFuture<Timed<V>> mine, Loader<V> loader) throws RegistryException {
    try {
      Timed<V> loaded = loader.load();
      if (!loaded.ttl.isZero() && !loaded.ttl.isNegative()) {
        synchronized (entries) {
          entries.put(key, new Entry<>(loaded.value, clock.instant().plus(loaded.ttl)));
        }
      }
      mine.complete(loaded);
      return loaded.value;
    } catch (RegistryException | RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  void invalidate(K key) {
    synchronized (entries) {
      entries.remove(key);
    }
  }

  void clear() {
    synchronized (entries) {
      entries.clear();
    }
  }

  int size() {
    synchronized (entries) {
      return entries.size();
    }
  }
}
