package dev.kritis.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * An SSLContext that trusts the JDK's default CAs plus the certificates of a PEM bundle. The
 * bundle is added to the default trust, never in place of it, so a private registry's CA does
 * not cut the client off from public registries.
 */
final class TrustStores {
  private TrustStores() {}

  static SSLContext withExtraCertificates(Path pemBundle) throws RegistryConfigException {
    KeyStore store = defaultsPlus(pemBundle);
    try {
      TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      combined.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, combined.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new RegistryConfigException("Tried to build a TLS context trusting the default CAs and " + pemBundle
          + " but failed because " + e.getMessage(), e);
    }
  }

  /** A trust store holding the JDK's default trusted certificates and those of {@code pemBundle}. */
  static KeyStore defaultsPlus(Path pemBundle) throws RegistryConfigException {
    Collection<? extends Certificate> extra;
    try (InputStream in = Files.newInputStream(pemBundle)) {
      extra = CertificateFactory.getInstance("X.509").generateCertificates(in);
    } catch (IOException e) {
      throw new RegistryConfigException("Tried to read the CA bundle " + pemBundle + " but failed because "
          + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      throw new RegistryConfigException("Tried to read the CA bundle " + pemBundle
          + " but failed because it is not a PEM file of X.509 certificates: " + e.getMessage(), e);
    }
    if (extra.isEmpty()) {
      throw new RegistryConfigException("Tried to read the CA bundle " + pemBundle
          + " but failed because it holds no certificate (expected one or more PEM CERTIFICATE blocks)");
    }
    try {
      TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      defaults.init((KeyStore) null);
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int n = 0;
      for (TrustManager tm : defaults.getTrustManagers()) {
        if (tm instanceof X509TrustManager) {
          for (X509Certificate ca : ((X509TrustManager) tm).getAcceptedIssuers()) {
            store.setCertificateEntry("default-" + n++, ca);
          }
        }
      }
      int i = 0;
      for (Certificate certificate : extra) {
        store.setCertificateEntry("bundle-" + i++, certificate);
      }
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new RegistryConfigException("Tried to build a trust store from the default CAs and " + pemBundle
          + " but failed because " + e.getMessage(), e);
    }
  }
}
