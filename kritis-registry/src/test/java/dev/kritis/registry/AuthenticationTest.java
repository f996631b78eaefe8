package dev.kritis.registry;

import static dev.kritis.registry.TagResolutionTest.clientFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kritis.core.reference.DigestResolver.DigestResolutionException;
import dev.kritis.core.reference.ImageReference;
import dev.kritis.testkit.registry.FakeRegistry;
import dev.kritis.testkit.registry.ImagePusher;
import dev.kritis.testkit.registry.RecordedRequest;
import dev.kritis.testkit.registry.SelfSignedCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Anonymous, Basic and Bearer access; Docker config files; TLS trust. */
class AuthenticationTest {
  private FakeRegistry fake;
  private String digest;
  private ImageReference app;

  @TempDir
  Path temp;

  @BeforeEach
  void start() throws Exception {
    fake = FakeRegistry.start();
    digest = ImagePusher.to(fake.baseUri(), null).pushImage("team/app", "v1", "auth", true);
    app = ImageReference.parse(fake.hostPort() + "/team/app:v1");
    fake.clearRequests();
  }

  @AfterEach
  void stop() {
    fake.close();
  }

  private static Instant soon() {
    return Instant.now().plusSeconds(5);
  }

  @Test
  void basic_withoutCredentials_failsSayingNoneAreConfigured() {
    fake.requireBasic("alice", "pw");
    assertThatThrownBy(() -> clientFor(fake).build().resolve(app, soon()))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining(fake.hostPort() + " requires authentication (HTTP 401, Basic) and no credentials for it are configured");
  }

  @Test
  void basic_withWrongPassword_failsNamingTheUserButNotThePassword() {
    fake.requireBasic("alice", "pw");
    assertThatThrownBy(() -> clientFor(fake).credentials(fake.hostPort(), "alice", "wrong-secret").build().resolve(app, soon()))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining("refused credentials of user alice (HTTP 401")
        .hasMessageNotContaining("wrong-secret");
  }

  @Test
  void basic_rightCredentials_areSentUpFrontAfterTheFirstChallenge() throws Exception {
    fake.requireBasic("alice", "pw");
    RegistryClient client = clientFor(fake).credentials(fake.hostPort(), "alice", "pw").tagCacheTtl(Duration.ZERO).build();
    assertThat(client.resolve(app, soon()).toString()).isEqualTo(digest);
    fake.clearRequests();
    client.resolve(app, soon());
    assertThat(fake.requests()).hasSize(1);
    assertThat(fake.requests().get(0).header("Authorization")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic "));
  }

  @Test
  void bearer_anonymous_getsATokenAndReusesIt() throws Exception {
    fake.requireBearer(null, null);
    fake.clearRequests();
    RegistryClient client = clientFor(fake).tagCacheTtl(Duration.ZERO).build();
    assertThat(client.resolve(app, soon()).toString()).isEqualTo(digest);
    assertThat(fake.requests()).extracting(RecordedRequest::method, RecordedRequest::path)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("HEAD", "/v2/team/app/manifests/v1"),
            org.assertj.core.groups.Tuple.tuple("GET", "/token"),
            org.assertj.core.groups.Tuple.tuple("HEAD", "/v2/team/app/manifests/v1"));
    assertThat(fake.requests().get(1).target()).contains("service=fake-registry")
        .contains("scope=repository%3Ateam%2Fapp%3Apull");
    fake.clearRequests();
    client.resolve(app, soon());
    assertThat(fake.requests()).extracting(RecordedRequest::path).containsExactly("/v2/team/app/manifests/v1");
  }

  @Test
  void bearer_withCredentials_sendsThemToTheTokenEndpointOnly() throws Exception {
    fake.requireBearer("bob", "pw");
    fake.clearRequests();
    assertThat(clientFor(fake).credentials(fake.hostPort(), "bob", "pw").build().resolve(app, soon()).toString())
        .isEqualTo(digest);
    RecordedRequest token = fake.requests().get(1);
    assertThat(token.path()).isEqualTo("/token");
    assertThat(token.header("Authorization")).contains(
        "Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8)));
    assertThat(fake.requests().get(2).header("Authorization").orElseThrow()).startsWith("Bearer token-");
  }

  @Test
  void bearer_withBadCredentials_failsSayingTheTokenServiceRefusedThem() {
    fake.requireBearer("bob", "pw");
    assertThatThrownBy(() -> clientFor(fake).credentials(fake.hostPort(), "bob", "nope").build().resolve(app, soon()))
        .isInstanceOf(DigestResolutionException.class)
        .hasMessageContaining("Tried to get a token for repository:team/app:pull from " + fake.baseUri() + "/token")
        .hasMessageContaining("the token service refused credentials of user bob (HTTP 401)");
  }

  @Test
  void bearer_revokedToken_isReplacedOnce() throws Exception {
    fake.requireBearer(null, null);
    RegistryClient client = clientFor(fake).tagCacheTtl(Duration.ZERO).build();
    client.resolve(app, soon());
    fake.revokeTokens();
    assertThat(client.resolve(app, soon()).toString()).isEqualTo(digest);
  }

  @Test
  void dockerConfig_authEntryWithUrlKey_isUsed() throws Exception {
    fake.requireBasic("carol", "p:w");
    Path config = temp.resolve("config.json");
    Files.writeString(config, "{\"auths\":{\"http://" + fake.hostPort() + "/v1/\":{\"auth\":\""
        + Base64.getEncoder().encodeToString("carol:p:w".getBytes(StandardCharsets.UTF_8)) + "\"}},\"credsStore\":\"desktop\"}");
    assertThat(clientFor(fake).dockerConfig(config).build().resolve(app, soon()).toString()).isEqualTo(digest);
  }

  @Test
  void kubernetesSecret_usernamePasswordEntry_isUsed() throws Exception {
    fake.requireBasic("dave", "pw");
    String secret = "{\"auths\":{\"" + fake.hostPort() + "\":{\"username\":\"dave\",\"password\":\"pw\"}}}";
    assertThat(clientFor(fake).dockerConfigJson(secret, "secret prod/regcred").build().resolve(app, soon()).toString())
        .isEqualTo(digest);
  }

  @Test
  void dockerConfig_identityTokenWithBearer_usesTheRefreshTokenGrant() throws Exception {
    fake.requireBearer(null, null);
    fake.clearRequests();
    String config = "{\"auths\":{\"" + fake.hostPort() + "\":{\"identitytoken\":\"refresh-me\"}}}";
    clientFor(fake).dockerConfigJson(config, "test").build().resolve(app, soon());
    RecordedRequest token = fake.requests().get(1);
    assertThat(token.method()).isEqualTo("POST");
    assertThat(token.path()).isEqualTo("/token");
  }

  @Test
  void dockerConfig_malformed_failsAtBuildNamingTheFile() throws Exception {
    Path config = temp.resolve("bad.json");
    Files.writeString(config, "{\"auths\":{\"h\":{\"auth\":\"%%%\"}}}");
    assertThatThrownBy(() -> RegistryClient.builder().dockerConfig(config).build())
        .isInstanceOf(RegistryConfigException.class)
        .hasMessageContaining(config.toString()).hasMessageContaining("not valid base64");
    Files.writeString(config, "{\"auths\": [");
    assertThatThrownBy(() -> RegistryClient.builder().dockerConfig(config).build())
        .isInstanceOf(RegistryConfigException.class).hasMessageContaining("not well-formed JSON");
    assertThatThrownBy(() -> RegistryClient.builder().dockerConfig(temp.resolve("missing.json")).build())
        .isInstanceOf(RegistryConfigException.class).hasMessageContaining("missing.json");
  }

  @Test
  void dockerConfig_keys_areNormalizedAndDockerHubAliasesShareCredentials() throws Exception {
    Map<String, DockerConfig.Credential> out = new HashMap<>();
    DockerConfig.read(("{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\""
        + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8))
        + "\"},\"Registry.Example:5000\":{\"username\":\"x\",\"password\":\"y\"}}}").getBytes(StandardCharsets.UTF_8),
        "test", out);
    assertThat(DockerConfig.lookup(out, "docker.io")).hasValueSatisfying(c -> assertThat(c.username).isEqualTo("u"));
    assertThat(DockerConfig.lookup(out, "registry-1.docker.io")).isPresent();
    assertThat(DockerConfig.lookup(out, "registry.example:5000")).hasValueSatisfying(c -> assertThat(c.password).isEqualTo("y"));
    assertThat(out.values().toString()).doesNotContain("p\"").doesNotContain("y");
  }

  @Test
  void wwwAuthenticate_quotedValuesWithCommasAndEscapes_areParsed() {
    WwwAuthenticate c = WwwAuthenticate.parse(
        "Bearer realm=\"https://auth.example/token?x=1\", service=\"registry.example\","
            + "scope=\"repository:a/b:pull,push repository:c:pull\",error=\"insufficient_scope\",note=\"say \\\"hi\\\"\"")
        .orElseThrow();
    assertThat(c.isBearer()).isTrue();
    assertThat(c.param("realm")).contains("https://auth.example/token?x=1");
    assertThat(c.param("SERVICE")).contains("registry.example");
    assertThat(c.param("scope")).contains("repository:a/b:pull,push repository:c:pull");
    assertThat(c.param("note")).contains("say \"hi\"");
    WwwAuthenticate basic = WwwAuthenticate.parse("Basic realm=registry").orElseThrow();
    assertThat(basic.isBasic()).isTrue();
    assertThat(basic.param("realm")).contains("registry");
    assertThat(WwwAuthenticate.parse("")).isEmpty();
    assertThat(WwwAuthenticate.parse("  ,,")).isEmpty();
  }

  @Test
  void tls_withCaBundle_isTrustedAndWithoutIsRefused() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.generate();
    try (FakeRegistry tls = FakeRegistry.startTls(certificate)) {
      String d = ImagePusher.to(tls.baseUri(), certificate.clientContext()).pushImage("team/app", "v1", "tls", true);
      ImageReference ref = ImageReference.parse(tls.hostPort() + "/team/app:v1");
      assertThat(RegistryClient.builder().caBundle(certificate.certificatePem()).build().resolve(ref, soon()).toString())
          .isEqualTo(d);
      assertThatThrownBy(() -> RegistryClient.builder().retries(1, Duration.ofMillis(10), Duration.ofMillis(10)).build()
          .resolve(ref, soon()))
          .isInstanceOf(DigestResolutionException.class).hasMessageContaining("TLS handshake with https://" + tls.hostPort()).hasMessageContaining("CA bundle");
    }
  }

  @Test
  void caBundle_withoutCertificates_failsAtBuild() throws Exception {
    Path empty = temp.resolve("empty.pem");
    Files.writeString(empty, "no certificates here\n");
    assertThatThrownBy(() -> RegistryClient.builder().caBundle(empty).build())
        .isInstanceOf(RegistryConfigException.class).hasMessageContaining(empty.toString());
  }

  @Test
  void insecureRegistry_withSchemeOrPath_isRejected() {
    assertThatThrownBy(() -> RegistryClient.builder().insecureRegistry("http://h:5000").build())
        .isInstanceOf(RegistryConfigException.class).hasMessageContaining("not host[:port]");
  }

  @Test
  void bearer_tokenNearItsExpiry_isRenewed() throws Exception {
    fake.requireBearer(null, null).tokenExpiresIn(2);
    RegistryClient client = clientFor(fake).tagCacheTtl(Duration.ZERO).build();
    client.resolve(app, soon());
    client.resolve(app, soon());
    assertThat(fake.requests()).filteredOn(r -> r.path().equals("/token")).hasSize(1);
    Thread.sleep(1200);
    client.resolve(app, soon());
    assertThat(fake.requests()).filteredOn(r -> r.path().equals("/token")).hasSize(2);
  }

  @Test
  void caBundle_isAddedToTheDefaultTrustNotInsteadOfIt() throws Exception {
    SelfSignedCertificate certificate = SelfSignedCertificate.generate();
    javax.net.ssl.TrustManagerFactory defaults =
        javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    defaults.init((java.security.KeyStore) null);
    int defaultCount = ((javax.net.ssl.X509TrustManager) defaults.getTrustManagers()[0]).getAcceptedIssuers().length;
    assertThat(defaultCount).isPositive();
    assertThat(TrustStores.defaultsPlus(certificate.certificatePem()).size()).isEqualTo(defaultCount + 1);
  }

  @Test
  void dockerConfig_identityTokenWithBasic_isUsedAsThePassword() throws Exception {
    fake.requireBasic("<token>", "opaque-identity-token");
    String config = "{\"auths\":{\"" + fake.hostPort() + "\":{\"username\":\"<token>\",\"identitytoken\":\"opaque-identity-token\"}}}";
    assertThat(clientFor(fake).dockerConfigJson(config, "test").build().resolve(app, soon()).toString()).isEqualTo(digest);
  }
}
