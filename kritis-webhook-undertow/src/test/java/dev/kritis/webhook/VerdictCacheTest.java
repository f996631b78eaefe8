package dev.kritis.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class VerdictCacheTest {
  static final String DIGEST = Fixtures.digest("x");

  @Test
  void size_staysWithinTheBound() {
    VerdictCache cache = new VerdictCache(100, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(30));
    for (int i = 0; i < 1000; i++) {
      cache.put("prod", 1, ImageVerdict.allowed("repo/image-" + i + "@" + DIGEST, "test"));
      assertThat(cache.size()).isLessThanOrEqualTo(100);
    }
    ImageVerdict last = ImageVerdict.allowed("repo/last@" + DIGEST, "test");
    cache.put("prod", 1, last);
    assertThat(cache.get("prod", "repo/last@" + DIGEST, 1)).isSameAs(last);
  }

  @Test
  void denials_liveShorterThanApprovals_andZeroSizeCachesNothing() throws InterruptedException {
    VerdictCache cache = new VerdictCache(100, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofMillis(100));
    ImageVerdict denied = ImageVerdict.of(dev.kritis.core.verify.ImageVerifier.builder()
        .policies(dev.kritis.core.policy.PolicySet.empty()).build()
        .verifyImage("prod", "not a reference!", java.time.Instant.now().plusSeconds(1)));
    assertThat(denied.allowed).isFalse();
    assertThat(denied.error).isFalse();
    cache.put("prod", 1, denied);
    assertThat(cache.get("prod", "not a reference!", 1)).isSameAs(denied);
    Thread.sleep(200);
    assertThat(cache.get("prod", "not a reference!", 1)).isNull();

    VerdictCache none = new VerdictCache(0, Duration.ofMinutes(10), Duration.ofMinutes(1), Duration.ofSeconds(30));
    none.put("prod", 1, ImageVerdict.allowed("a@" + DIGEST, "test"));
    assertThat(none.size()).isZero();
  }
}
