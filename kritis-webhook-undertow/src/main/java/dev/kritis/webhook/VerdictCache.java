package dev.kritis.webhook;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Verified results, bounded in size and age. The key is (namespace, image reference as written,
 * PolicySet version): a reference written with a digest carries that digest in its text, and a
 * new policy set gets new keys, so a policy change is never answered from an old result.
 *
 * <p>A tag-only reference is verified by whatever digest the tag resolves to <em>now</em>, so
 * its entry lives no longer than the resolver's TTL. Denials live shorter than approvals, so a
 * freshly signed image is admitted soon; errors (timeouts, unreachable sources) are never cached.
 *
 * <p>A hit is one {@link ConcurrentHashMap} lookup and a clock read: this is the webhook's hot
 * path. The size bound is kept on insert by dropping expired entries, then arbitrary ones (not
 * LRU: with keys that include the policy version, old entries are the ones nobody asks for).
 */
final class VerdictCache {
  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
  private final long maxEntries;
  private final long ttlNanos;
  private final long tagTtlNanos;
  private final long deniedTtlNanos;

  VerdictCache(long maxEntries, Duration ttl, Duration tagTtl, Duration deniedTtl) {
    this.maxEntries = maxEntries;
    this.ttlNanos = ttl.toNanos();
    this.tagTtlNanos = Math.min(ttlNanos, tagTtl.toNanos());
    this.deniedTtlNanos = Math.min(ttlNanos, deniedTtl.toNanos());
  }

  ImageVerdict get(String namespace, String image, long policyVersion) {
    Key key = new Key(namespace, image, policyVersion);
    Entry entry = entries.get(key);
    if (entry == null) {
      return null;
    }
    if (System.nanoTime() - entry.expiresAtNanos >= 0) {
      entries.remove(key, entry);
      return null;
    }
    return entry.verdict;
  }

  void put(String namespace, long policyVersion, ImageVerdict verdict) {
    if (verdict.error || maxEntries == 0) {
      return;
    }
    long ttl = verdict.allowed ? ttlNanos : deniedTtlNanos;
    if (verdict.image.indexOf('@') < 0) {
      ttl = Math.min(ttl, tagTtlNanos); // tag-only: the tag may move
    }
    if (ttl <= 0) {
      return;
    }
    if (entries.size() >= maxEntries) {
      evict();
    }
    entries.put(new Key(namespace, verdict.image, policyVersion), new Entry(verdict, System.nanoTime() + ttl));
  }

  /** Drops expired entries; if that is not enough, about a tenth of the rest. */
  private void evict() {
    long now = System.nanoTime();
    entries.values().removeIf(e -> now - e.expiresAtNanos >= 0);
    long excess = entries.size() - maxEntries + Math.max(1, maxEntries / 10);
    for (Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator(); excess > 0 && it.hasNext(); excess--) {
      it.next();
      it.remove();
    }
  }

  long size() {
    return entries.size();
  }

  void clear() {
    entries.clear();
  }

  private static final class Entry {
    final ImageVerdict verdict;
    final long expiresAtNanos;

    Entry(ImageVerdict verdict, long expiresAtNanos) {
      this.verdict = verdict;
      this.expiresAtNanos = expiresAtNanos;
    }
  }

  private static final class Key {
    final String namespace;
    final String image;
    final long policyVersion;
    private final int hash;

    Key(String namespace, String image, long policyVersion) {
      this.namespace = namespace;
      this.image = image;
      this.policyVersion = policyVersion;
      this.hash = (namespace.hashCode() * 31 + image.hashCode()) * 31 + Long.hashCode(policyVersion);
    }

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Key)) {
        return false;
      }
      Key k = (Key) o;
      return policyVersion == k.policyVersion && namespace.equals(k.namespace) && image.equals(k.image);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
