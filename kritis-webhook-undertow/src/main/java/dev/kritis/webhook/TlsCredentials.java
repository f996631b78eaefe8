package dev.kritis.webhook;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A server certificate chain and its private key, as an {@link SSLContext}. Reads PEM as
 * cert-manager and kubeadm write it: certificates, and a key as PKCS#8 ("PRIVATE KEY"), PKCS#1
 * ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"). Bouncy Castle only parses and builds; the
 * JDK's providers do all cryptography, so no provider is registered.
 */
final class TlsCredentials {
  /** The keystore lives only in memory; PKCS12 wants some password. */
  private static final char[] NO_PASSWORD = "in-memory".toCharArray();

  private final X509Certificate[] chain;
  private final PrivateKey key;

  private TlsCredentials(X509Certificate[] chain, PrivateKey key) {
    this.chain = chain;
    this.key = key;
  }

  /**
   * Reads a certificate chain and a private key.
   *
   * @throws GeneralSecurityException naming the file and what is wrong: no certificate, no key,
   *     an encrypted key, a key that does not belong to the certificate
   */
  static TlsCredentials fromPem(Path certFile, Path keyFile) throws GeneralSecurityException, IOException {
    List<X509Certificate> certs = new ArrayList<>();
    try (InputStream in = Files.newInputStream(certFile)) {
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certs.add((X509Certificate) c);
      }
    } catch (java.security.cert.CertificateException e) {
      throw new GeneralSecurityException(certFile + ": not a PEM certificate chain: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new GeneralSecurityException(certFile + ": no certificate found, expected PEM \"CERTIFICATE\" blocks");
    }
    PrivateKey key = readKey(keyFile);
    checkPair(certs.get(0), key, certFile, keyFile);
    return new TlsCredentials(certs.toArray(new X509Certificate[0]), key);
  }

  private static PrivateKey readKey(Path keyFile) throws GeneralSecurityException, IOException {
    Object parsed;
    try (Reader reader = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII); PEMParser pem = new PEMParser(reader)) {
      parsed = pem.readObject();
      while (parsed != null && !(parsed instanceof PrivateKeyInfo) && !(parsed instanceof PEMKeyPair)) {
        if (parsed.getClass().getSimpleName().contains("Encrypted")) {
          throw new GeneralSecurityException(keyFile + ": the private key is encrypted; expected an unencrypted PEM key");
        }
        parsed = pem.readObject(); // e.g. "EC PARAMETERS" before "EC PRIVATE KEY"
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new GeneralSecurityException(keyFile + ": not a PEM private key: " + e.getMessage(), e);
    }
    // Only the private part: a SEC1 "EC PRIVATE KEY" may omit the public key.
    PrivateKeyInfo info = parsed instanceof PEMKeyPair ? ((PEMKeyPair) parsed).getPrivateKeyInfo()
        : parsed instanceof PrivateKeyInfo ? (PrivateKeyInfo) parsed : null;
    if (info != null) {
      try {
        return new JcaPEMKeyConverter().getPrivateKey(info);
      } catch (IOException e) {
        throw new GeneralSecurityException(keyFile + ": unsupported private key: " + e.getMessage(), e);
      }
    }
    throw new GeneralSecurityException(keyFile + ": no private key found, expected PEM \"PRIVATE KEY\", "
        + "\"RSA PRIVATE KEY\" or \"EC PRIVATE KEY\"");
  }

  /** Signs and verifies a probe: a key that does not match the certificate would fail every handshake. */
  private static void checkPair(X509Certificate cert, PrivateKey key, Path certFile, Path keyFile)
      throws GeneralSecurityException {
    String algorithm;
    switch (key.getAlgorithm()) {
      case "RSA":
        algorithm = "SHA256withRSA";
        break;
      case "EC":
        algorithm = "SHA256withECDSA";
        break;
      case "Ed25519":
      case "EdDSA":
        algorithm = "Ed25519";
        break;
      default:
        return; // the handshake will tell
    }
    byte[] probe = "kritis tls key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(cert.getPublicKey());
    verifier.update(probe);
    if (!verifier.verify(signature)) {
      throw new GeneralSecurityException("the private key in " + keyFile + " does not belong to the certificate in " + certFile);
    }
  }

  /** A fresh ECDSA P-256 key and a self-signed certificate for localhost, 127.0.0.1 and the given names. */
  static TlsCredentials selfSigned(List<String> dnsNames) throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair pair = generator.generateKeyPair();
    Instant now = Instant.now();
    List<GeneralName> names = new ArrayList<>();
    names.add(new GeneralName(GeneralName.dNSName, "localhost"));
    names.add(new GeneralName(GeneralName.iPAddress, "127.0.0.1"));
    names.add(new GeneralName(GeneralName.iPAddress, "::1"));
    for (String dns : dnsNames) {
      names.add(new GeneralName(GeneralName.dNSName, dns));
    }
    X500Name subject = new X500Name("CN=kritis-webhook (self-signed)");
    try {
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
          new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
          Date.from(now.plus(Duration.ofDays(365))), subject, pair.getPublic())
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])));
      X509Certificate cert = new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
      return new TlsCredentials(new X509Certificate[] {cert}, pair.getPrivate());
    } catch (OperatorCreationException | IOException e) {
      throw new GeneralSecurityException("cannot make a self-signed certificate: " + e.getMessage(), e);
    }
  }

  X509Certificate certificate() {
    return chain[0];
  }

  SSLContext sslContext() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new GeneralSecurityException(e);
    }
    store.setKeyEntry("webhook", key, NO_PASSWORD, chain);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(store, NO_PASSWORD);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf.getKeyManagers(), null, null);
    return context;
  }
}
