package dev.kritis.webhook;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import java.time.Duration;
import java.util.Objects;

/**
 * Verified results, bounded in size and age. The key is (namespace, image reference as written,
 * PolicySet version): a reference written with a digest carries that digest in its text, and a
 * new policy set gets new keys, so a policy change is never answered from an old result.
 *
 * <p>A tag-only reference is verified by whatever digest the tag resolves to <em>now</em>, so
 * its entry lives no longer than the resolver's TTL. Denials live shorter than approvals, so a
 * freshly signed image is admitted soon; errors (timeouts, unreachable sources) are never cached.
 */
final class VerdictCache {
  private final Cache<Key, Entry> cache;
  private final long ttlNanos;
  private final long tagTtlNanos;
  private final long deniedTtlNanos;

  VerdictCache(long maxEntries, Duration ttl, Duration tagTtl, Duration deniedTtl) {
    this.cache = CacheBuilder.newBuilder().maximumSize(maxEntries).expireAfterWrite(ttl).build();
    this.ttlNanos = ttl.toNanos();
    this.tagTtlNanos = Math.min(ttlNanos, tagTtl.toNanos());
    this.deniedTtlNanos = Math.min(ttlNanos, deniedTtl.toNanos());
  }

  ImageVerdict get(String namespace, String image, long policyVersion) {
    Key key = new Key(namespace, image, policyVersion);
    Entry entry = cache.getIfPresent(key);
    if (entry == null) {
      return null;
    }
    if (System.nanoTime() - entry.expiresAtNanos >= 0) {
      cache.invalidate(key);
      return null;
    }
    return entry.verdict;
  }

  void put(String namespace, long policyVersion, ImageVerdict verdict) {
    if (verdict.error) {
      return;
    }
    long ttl = verdict.allowed ? ttlNanos : deniedTtlNanos;
    if (!verdict.image.contains("@")) {
      ttl = Math.min(ttl, tagTtlNanos); // tag-only: the tag may move
    }
    if (ttl <= 0) {
      return;
    }
    cache.put(new Key(namespace, verdict.image, policyVersion), new Entry(verdict, System.nanoTime() + ttl));
  }

  long size() {
    return cache.size();
  }

  void clear() {
    cache.invalidateAll();
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
      this.hash = Objects.hash(namespace, image, policyVersion);
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
