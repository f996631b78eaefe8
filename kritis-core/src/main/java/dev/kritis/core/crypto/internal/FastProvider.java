package dev.kritis.core.crypto.internal;

import java.security.Provider;
import java.util.Locale;
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
      Locale defaultLocale = Locale.getDefault();
      boolean localeBreaksConscrypt = !"LINUX".toLowerCase(defaultLocale).equals("linux");
      try {
        if (localeBreaksConscrypt) {
          // Conscrypt 2.5.2 names its native library with a locale-sensitive toLowerCase()
          // (HostProperties.OperatingSystem.getFileComponent), so under a Turkish or Azeri default
          // locale it looks for "conscrypt_openjdk_jni-l\u0131nux-x86_64" and never loads. The name
          // is computed once, when the native library loads, so the default locale is set to ROOT
          // for exactly that moment and restored at once. Only done under such locales.
          Locale.setDefault(Locale.ROOT);
        }
        if (!Conscrypt.isAvailable()) {
          return Optional.empty();
        }
        return Optional.of(Conscrypt.newProvider());
      } catch (RuntimeException | LinkageError e) {
        // UnsatisfiedLinkError / NoClassDefFoundError when the native library cannot load.
        return Optional.empty();
      } finally {
        if (localeBreaksConscrypt) {
          Locale.setDefault(defaultLocale);
        }
      }
    }
  }

  /** The private Conscrypt provider instance, or empty when its native library cannot load. */
  public static Optional<Provider> conscrypt() {
    return Holder.CONSCRYPT;
  }
}
