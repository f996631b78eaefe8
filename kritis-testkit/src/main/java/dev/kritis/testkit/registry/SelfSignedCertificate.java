package dev.kritis.testkit.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed EC P-256 certificate for {@code 127.0.0.1} and {@code localhost}, made with the
 * JDK's {@code keytool} (no other tool needed), written as PEM files (certificate, PKCS#8 key)
 * for servers such as {@code docker-registry}, and usable as a JDK key store for in-process
 * HTTPS servers.
 */
public final class SelfSignedCertificate {
  private static final char[] PASSWORD = "changeit".toCharArray();

  private final Path directory;
  private final KeyStore keyStore;
  private final Path certificatePem;
  private final Path privateKeyPem;

  private SelfSignedCertificate(Path directory, KeyStore keyStore, Path certificatePem, Path privateKeyPem) {
    this.directory = directory;
    this.keyStore = keyStore;
    this.certificatePem = certificatePem;
    this.privateKeyPem = privateKeyPem;
  }

  /** Generates a new certificate in a new temporary directory. */
  public static SelfSignedCertificate generate() throws IOException {
    Path dir = Files.createTempDirectory("kritis-cert");
    Path store = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process process = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "server",
        "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-keystore", store.toString(), "-storetype", "PKCS12",
        "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD)))
        .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IOException("keytool failed to generate a certificate: "
            + Files.readString(dir.resolve("keytool.log"), StandardCharsets.UTF_8));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while generating a certificate", e);
    }
    try (InputStream in = Files.newInputStream(store)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, PASSWORD);
      Certificate certificate = ks.getCertificate("server");
      Key key = ks.getKey("server", PASSWORD);
      Path certPem = dir.resolve("server.crt");
      Path keyPem = dir.resolve("server.key");
      Files.writeString(certPem, pem("CERTIFICATE", certificate.getEncoded()), StandardCharsets.US_ASCII);
      Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
      return new SelfSignedCertificate(dir, ks, certPem, keyPem);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the generated key store: " + e, e);
    }
  }

  private static String pem(String label, byte[] der) {
    return "-----BEGIN " + label + "-----\n"
        + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + label + "-----\n";
  }

  /** The certificate as PEM: the CA bundle clients must trust. */
  public Path certificatePem() {
    return certificatePem;
  }

  /** The private key as PKCS#8 PEM. */
  public Path privateKeyPem() {
    return privateKeyPem;
  }

  public Path directory() {
    return directory;
  }

  /** A server-side context presenting this certificate. */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(kmf.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a server TLS context", e);
    }
  }

  /** A client-side context trusting only this certificate. */
  public SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("server", keyStore.getCertificate("server"));
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a client TLS context", e);
    }
  }
}
