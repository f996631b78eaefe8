package dev.kritis.registry;

import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.DigestResolver;
import dev.kritis.core.reference.ImageReference;
import java.time.Instant;
import java.util.Objects;

/**
 * Resolves a tag to the digest the image's registry reports for it now (a HEAD request, GET and
 * hash when the registry gives no digest). A multi-arch tag resolves to its index digest.
 * Answers are cached briefly (see {@link RegistryClient.Builder#tagCacheTtl}) and identical
 * concurrent lookups share one request. Obtain one from {@link RegistryClient#digestResolver()};
 * thread-safe.
 */
public final class RegistryDigestResolver implements DigestResolver {
  private final TagResolver tags;
  private final LookupCache<String, Digest> cache;
  private final java.time.Duration ttl;

  RegistryDigestResolver(TagResolver tags, LookupCache<String, Digest> cache, java.time.Duration ttl) {
    this.tags = tags;
    this.cache = cache;
    this.ttl = ttl;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A reference that already has a digest resolves to it without a request.
   */
  @Override
  public Digest resolve(ImageReference reference, Instant deadline) throws DigestResolutionException {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(deadline, "deadline");
    if (reference.digest().isPresent()) {
      return reference.digest().get();
    }
    String key = reference.repository() + ":" + reference.tag().orElse("latest");
    try {
      return cache.get(key, deadline, "resolve " + key + " to a digest",
          () -> new LookupCache.Timed<>(tags.resolve(reference, deadline), ttl));
    } catch (RegistryException e) {
      throw new DigestResolutionException(e.getMessage(), e, e.isNotFound());
    }
  }
}
