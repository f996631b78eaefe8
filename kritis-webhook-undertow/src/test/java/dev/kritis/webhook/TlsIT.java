package dev.kritis.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM keys in the three forms, TLS 1.2+, and certificate reload when the files change. */
class TlsIT {
  @TempDir
  Path tmp;

  static KeyPair ec() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  static KeyPair rsa() throws GeneralSecurityException {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static X509Certificate certificate(KeyPair pair, String cn) throws Exception {
    X500Name name = new X500Name("CN=" + cn);
    Instant now = Instant.now();
    var builder = new JcaX509v3CertificateBuilder(name, new BigInteger(64, new SecureRandom()),
        Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic())
        .addExtension(Extension.subjectAlternativeName, false,
            new GeneralNames(new GeneralName(GeneralName.iPAddress, "127.0.0.1")));
    String algorithm = pair.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(pair.getPrivate())));
  }

  static String pem(Object o) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o);
    }
    return out.toString();
  }

  /**
   * PKCS#1 "RSA PRIVATE KEY", or SEC1 "EC PRIVATE KEY" as `openssl ecparam -genkey` writes it: an
   * "EC PARAMETERS" block, then the key with its curve and public key.
   */
  static String traditional(KeyPair pair) throws IOException {
    if (pair.getPrivate().getAlgorithm().equals("RSA")) {
      return pem(pair.getPrivate());
    }
    java.security.interfaces.ECPrivateKey key = (java.security.interfaces.ECPrivateKey) pair.getPrivate();
    var publicKey = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).getPublicKeyData();
    var curve = org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1;
    var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256, key.getS(), publicKey, curve);
    return pem(new org.bouncycastle.util.io.pem.PemObject("EC PARAMETERS", curve.getEncoded()))
        + pem(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
  }

  /** Writes cert.pem and key.pem; {@code pkcs8} false writes the traditional PKCS#1 / SEC1 form. */
  Path[] write(String dir, KeyPair pair, X509Certificate cert, boolean pkcs8) throws Exception {
    Path d = Files.createDirectories(tmp.resolve(dir));
    Path certFile = d.resolve("tls.crt");
    Path keyFile = d.resolve("tls.key");
    Files.writeString(certFile, pem(cert));
    Files.writeString(keyFile, pkcs8 ? pem(new JcaPKCS8Generator(pair.getPrivate(), null)) : traditional(pair));
    return new Path[] {certFile, keyFile};
  }

  @Test
  void pemKeys_inEveryForm_areRead() throws Exception {
    KeyPair ec = ec();
    KeyPair rsa = rsa();
    X509Certificate ecCert = certificate(ec, "ec");
    X509Certificate rsaCert = certificate(rsa, "rsa");
    Path[] ecPkcs8 = write("ec8", ec, ecCert, true);
    Path[] ecSec1 = write("ec1", ec, ecCert, false);
    Path[] rsaPkcs8 = write("rsa8", rsa, rsaCert, true);
    Path[] rsaPkcs1 = write("rsa1", rsa, rsaCert, false);
    assertThat(Files.readString(ecPkcs8[1])).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.readString(ecSec1[1])).startsWith("-----BEGIN EC PARAMETERS-----").contains("-----BEGIN EC PRIVATE KEY-----");
    assertThat(Files.readString(rsaPkcs1[1])).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    for (Path[] files : List.of(ecPkcs8, ecSec1, rsaPkcs8, rsaPkcs1)) {
      assertThat(TlsCredentials.fromPem(files[0], files[1]).certificate()).isEqualTo(
          files == rsaPkcs8 || files == rsaPkcs1 ? rsaCert : ecCert);
    }
  }

  @Test
  void badPemFiles_areRefused_withTheFileNamed() throws Exception {
    KeyPair ec = ec();
    Path[] good = write("good", ec, certificate(ec, "good"), true);
    KeyPair other = ec();
    Path[] mismatched = write("other", other, certificate(other, "other"), true);
    assertThatThrownBy(() -> TlsCredentials.fromPem(good[0], mismatched[1]))
        .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("does not belong to the certificate");
    Path garbage = Files.writeString(tmp.resolve("garbage.pem"), "hello\n");
    assertThatThrownBy(() -> TlsCredentials.fromPem(garbage, good[1]))
        .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("garbage.pem");
    assertThatThrownBy(() -> TlsCredentials.fromPem(good[0], garbage))
        .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("garbage.pem").hasMessageContaining("no private key");
  }

  static SSLSocket handshake(int port, String... protocols) throws Exception {
    SSLContext ssl = Fixtures.trustingEveryCertificate();
    SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(5000);
    if (protocols.length > 0) {
      socket.setEnabledProtocols(protocols);
    }
    socket.startHandshake();
    return socket;
  }

  static X509Certificate served(int port) throws Exception {
    try (SSLSocket socket = handshake(port)) {
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void certificateFiles_areReloadedWhenTheyChange_andABrokenPairKeepsTheOldOne() throws Exception {
    KeyPair first = ec();
    X509Certificate firstCert = certificate(first, "first");
    Path[] files = write("live", first, firstCert, true);
    Path policies = Files.createDirectories(tmp.resolve("policies"));
    try (WebhookServer server = WebhookServer.builder().host("127.0.0.1").port(0).tls(files[0], files[1])
        .tlsReloadInterval(Duration.ofMillis(100)).addPolicyPath(policies).start()) {
      int port = server.port();
      assertThat(served(port)).isEqualTo(firstCert);
      try (SSLSocket tls12 = handshake(port, "TLSv1.2")) {
        assertThat(tls12.getSession().getProtocol()).isEqualTo("TLSv1.2");
      }
      try (SSLSocket best = handshake(port)) {
        assertThat(best.getSession().getProtocol()).isEqualTo("TLSv1.3");
      }

      // A key that does not match: refused, the old certificate keeps serving.
      KeyPair stray = ec();
      Files.writeString(files[1], pem(new JcaPKCS8Generator(stray.getPrivate(), null)));
      Thread.sleep(400);
      assertThat(served(port)).isEqualTo(firstCert);

      // A renewed pair (as cert-manager writes it, traditional key form): served to new connections.
      KeyPair second = rsa();
      X509Certificate secondCert = certificate(second, "second");
      Files.writeString(files[0], pem(secondCert));
      Files.writeString(files[1], traditional(second));
      long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!served(port).equals(secondCert)) {
        assertThat(System.nanoTime()).as("renewed certificate served within 10 s").isLessThan(until);
        Thread.sleep(100);
      }
      assertThat(new Fixtures.Client(port).get("/healthz").status).isEqualTo(200);
    }
  }
}
