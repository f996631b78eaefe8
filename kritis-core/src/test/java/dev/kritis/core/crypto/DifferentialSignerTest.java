package dev.kritis.core.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kritis.testkit.TestKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Signatures made by other implementations verify under ours: the JDK (TestKey: DER and P1363
 * ECDSA, PSS with salt 0, hLen and maximum) and the {@code openssl} CLI (PSS with saltlen digest
 * and max). The seed form (algorithm inferred) accepts them too.
 */
class DifferentialSignerTest {

  @ParameterizedTest
  @EnumSource(TestKey.Algorithm.class)
  void verify_jdkSignature_isAccepted(TestKey.Algorithm algorithm) throws Exception {
    TestKey key = TestKeys.key(algorithm);
    VerificationKey ours = TestKeys.verifier(algorithm);
    assertThat(ours.verify(key.sign(TestKeys.PAYLOAD), TestKeys.PAYLOAD)).isEqualTo(TestKeys.PAYLOAD);
    if (algorithm.isPss()) {
      for (int salt : new int[] {0, algorithm.hashLength(), key.maxPssSaltLength(), 17}) {
        assertThat(ours.verify(key.signPss(TestKeys.PAYLOAD, salt), TestKeys.PAYLOAD)).isEqualTo(TestKeys.PAYLOAD);
      }
    }
    if (algorithm.isEcdsa()) {
      assertThat(ours.verify(key.signEcdsaP1363(TestKeys.PAYLOAD), TestKeys.PAYLOAD)).isEqualTo(TestKeys.PAYLOAD);
    }
    VerificationKey inferred = VerificationKey.fromPem("seed", key.publicKeyPem(), Optional.empty());
    boolean inferable = !algorithm.name().endsWith("SHA512") || algorithm.isEcdsa();
    if (inferable) {
      assertThat(inferred.algorithms()).contains(TestKeys.ours(algorithm));
      assertThat(inferred.verify(key.sign(TestKeys.PAYLOAD), TestKeys.PAYLOAD)).isEqualTo(TestKeys.PAYLOAD);
    }
  }

  @Test
  void fromPem_rsa3072WithoutAlgorithm_acceptsPkcs1AndPssWithSha256() throws Exception {
    VerificationKey inferred = VerificationKey.fromPem("kms",
        TestKeys.key(TestKey.Algorithm.RSA_PSS_3072_SHA256).publicKeyPem(), Optional.empty());
    assertThat(inferred.algorithms())
        .containsExactlyInAnyOrder(SignatureAlgorithm.RSA_SIGN_PKCS1_3072_SHA256, SignatureAlgorithm.RSA_PSS_3072_SHA256);
  }

  @ParameterizedTest
  @EnumSource(TestKey.Algorithm.class)
  void verify_opensslSignature_isAccepted(TestKey.Algorithm algorithm, @TempDir Path dir) throws Exception {
    // A skipped differential test proves nothing: without openssl this fails (.ci/run installs it).
    assertThat(opensslAvailable()).as("the openssl CLI is required for this test (apt-get install -y openssl)").isTrue();
    TestKey key = TestKeys.key(algorithm);
    Path keyFile = Files.writeString(dir.resolve("key.pem"), key.privateKeyPem(), StandardCharsets.US_ASCII);
    Path data = Files.write(dir.resolve("payload.json"), TestKeys.PAYLOAD);
    Path sig = dir.resolve("sig.bin");
    String digest = "-" + TestKeys.ours(algorithm).hashName().replace("-", "").toLowerCase(java.util.Locale.ROOT);
    List<List<String>> commands = new ArrayList<>();
    if (algorithm == TestKey.Algorithm.ED25519) {
      commands.add(List.of("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", keyFile.toString(), "-in", data.toString(),
          "-out", sig.toString()));
    } else if (algorithm.isPss()) {
      for (String saltlen : new String[] {"digest", "max"}) {
        commands.add(List.of("openssl", "dgst", digest, "-sign", keyFile.toString(), "-sigopt", "rsa_padding_mode:pss",
            "-sigopt", "rsa_pss_saltlen:" + saltlen, "-sigopt", "rsa_mgf1_md:" + digest.substring(1),
            "-out", sig.toString(), data.toString()));
      }
    } else {
      commands.add(List.of("openssl", "dgst", digest, "-sign", keyFile.toString(), "-out", sig.toString(), data.toString()));
    }
    for (List<String> command : commands) {
      run(command);
      byte[] signature = Files.readAllBytes(sig);
      assertThat(TestKeys.verifier(algorithm).verify(signature, TestKeys.PAYLOAD))
          .as("openssl %s", command).isEqualTo(TestKeys.PAYLOAD);
    }
  }

  private static boolean opensslAvailable() {
    try {
      return new ProcessBuilder("openssl", "version").redirectErrorStream(true).start().waitFor(30, TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
  }
}
