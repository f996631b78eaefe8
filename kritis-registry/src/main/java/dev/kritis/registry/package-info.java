/**
 * Remote attestation sources and digest resolution for kritis: an OCI distribution client on
 * {@code java.net.http} (tag resolution, manifests, blobs, referrers; anonymous, Basic and Bearer
 * token auth; Docker {@code config.json} credentials; TLS with an optional extra CA bundle), the
 * {@link dev.kritis.registry.CosignSignatureSource}, {@link dev.kritis.registry.ReferrersSignatureSource}
 * and {@link dev.kritis.registry.GrafeasAttestationSource}, and the
 * {@link dev.kritis.registry.RegistryDigestResolver}.
 *
 * <p>Start at {@link dev.kritis.registry.RegistryClient#builder()}. Everything else in this
 * package is package-private: one class per registry endpoint ({@code TagResolver},
 * {@code ManifestPuller}, {@code BlobPuller}, {@code ReferrersPuller}), the authenticator, the
 * transport (timeouts, deadlines, retries, redirects, size limits) and the caches.
 */
package dev.kritis.registry;
