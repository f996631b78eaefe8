package dev.kritis.core.crypto.internal;

import java.security.Provider;
import java.util.Optional;
import org.conscrypt.Conscrypt;

/**
 * The Conscrypt (BoringSSL) JCA provider, when its native library loads on this platform.
 *
 * <p>Why: the JDK's own ECDSA P-256 verify costs about 1.7 ms on our reference machine, BoringSSL
 * about 0.09 ms. Why not {@code Security.insertProviderAt}: a library must not change the host
 * application's provider list (it would silently change TLS, KeyStore and every other JCA
 * lookup in the process). So the provider object is created privately here and handed to Tink's
 * verifier factories that take an explicit provider; nothing is registered globally.
 *
 * <p>When Conscrypt cannot load (no native build for the platform, a musl libc, a sandbox that
 * forbids loading native code), {@link #conscrypt()} is empty and verifiers fall back to Tink's
 * pure-JDK paths. Loading is attempted once per class loader.
 */
public final class FastProvider {
  private FastProvider() {}

  private static final class Holder {
    static final Optional<Provider> CONSCRYPT = load();

    private static Optional<Provider> load() {
      try {
        if (!Conscrypt.isAvailable()) {
          return Optional.empty();
        }
        return Optional.of(Conscrypt.newProvider());
      } catch (RuntimeException | LinkageError e) {
        // UnsatisfiedLinkError / NoClassDefFoundError when the native library cannot load.
        return Optional.empty();
      }
    }
  }

  /** The private Conscrypt provider instance, or empty when its native library cannot load. */
  public static Optional<Provider> conscrypt() {
    return Holder.CONSCRYPT;
  }
}
