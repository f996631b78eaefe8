package dev.kritis.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImagePatternTest {

  @ParameterizedTest(name = "{0} ~ {1} = {2}")
  @CsvSource({
      "gcr.io/my-project/*, gcr.io/my-project/app, true",
      "gcr.io/my-project/*, gcr.io/my-project/app:v1, true",
      "gcr.io/my-project/*, gcr.io/my-project/team/app, false",
      "gcr.io/my-project/**, gcr.io/my-project/team/app:v1, true",
      "gcr.io/my-project/*, gcr.io/my-project-evil/app, false",
      "gcr.io/my-project/*, evil.io/gcr.io/my-project/app, false",
      "gcr.io/my-project/*, gcr.io/my-project/, true",
      "nginx, nginx, true",
      "nginx, nginx:latest, false",
      "nginx*, nginx:latest, true",
      "nginx*, nginx/evil, false",
      "docker.io/library/nginx:1.?, docker.io/library/nginx:1.2, false",
      "docker.io/library/nginx:1.?, docker.io/library/nginx:1.?, true",
      "a.b/c, aXb/c, false",
      "**, anything/at/all, true",
      "gcr.io/p/app@sha256:*, gcr.io/p/app@sha256:abc, true",
  })
  void matches_isAnchoredAndHonoursSlashes(String pattern, String image, boolean expected) {
    assertThat(ImagePattern.compile(pattern).matches(image)).isEqualTo(expected);
  }

  @Property
  void matches_aLiteralPatternMatchesOnlyItself(@ForAll @AlphaChars String a, @ForAll @AlphaChars String b) {
    ImagePattern pattern = ImagePattern.compile("x" + a);
    assertThat(pattern.matches("x" + a)).isTrue();
    assertThat(pattern.matches("x" + a + "y" + b)).isFalse();
    assertThat(pattern.matches("y" + b + "x" + a)).isFalse();
  }

  @ParameterizedTest
  @CsvSource({"'', must not be empty", "a/***, ***"})
  void compile_badPatterns_areRejected(String pattern, String message) {
    assertThatThrownBy(() -> ImagePattern.compile(pattern)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}
