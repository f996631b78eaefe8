package dev.kritis.core.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {
  private static final String HEX = "b3f3eccfd27c9864312af3796067e7db28007a1566e1e042c5862eed3ff1b2c8";

  @ParameterizedTest(name = "{0}")
  @CsvSource({
      "alpine, docker.io, library/alpine, , ",
      "alpine:3.11, docker.io, library/alpine, 3.11, ",
      "library/alpine, docker.io, library/alpine, , ",
      "docker.io/alpine, docker.io, library/alpine, , ",
      "index.docker.io/library/alpine:3, docker.io, library/alpine, 3, ",
      "bitnami/nginx:1.25, docker.io, bitnami/nginx, 1.25, ",
      "gcr.io/kritis-project/kritis-server, gcr.io, kritis-project/kritis-server, , ",
      "localhost/app, localhost, app, , ",
      "localhost:5000/team/app:v1, localhost:5000, team/app, v1, ",
      "127.0.0.1:5000/app, 127.0.0.1:5000, app, , ",
      "[::1]:5000/app:dev, [::1]:5000, app, dev, ",
      "Registry.Example.COM/a/b, Registry.Example.COM, a/b, , ",
      "a.b/c__d/e-f.g---h, a.b, c__d/e-f.g---h, , ",
  })
  void parse_validReferences_normalizesLikeDocker(String text, String registry, String path, String tag, String unused) throws Exception {
    ImageReference ref = ImageReference.parse(text);
    assertThat(ref.registry()).isEqualTo(registry);
    assertThat(ref.path()).isEqualTo(path);
    assertThat(ref.tag().orElse(null)).isEqualTo(tag);
    assertThat(ref.original()).isEqualTo(text);
  }

  @Test
  void parse_tagAndDigest_keepsBoth() throws Exception {
    ImageReference ref = ImageReference.parse("nginx:1.25@sha256:" + HEX);
    assertThat(ref.tag()).contains("1.25");
    assertThat(ref.digest().map(Digest::toString)).contains("sha256:" + HEX);
    assertThat(ref.repository()).isEqualTo("docker.io/library/nginx");
    assertThat(ref.toString()).isEqualTo("docker.io/library/nginx:1.25@sha256:" + HEX);
  }

  @Test
  void parse_digestOnly_hasNoTag() throws Exception {
    ImageReference ref = ImageReference.parse("gcr.io/p/app@sha256:" + HEX);
    assertThat(ref.tag()).isEmpty();
    assertThat(ref.digest()).isPresent();
  }

  @Test
  void equals_differentSpellingsOfOneImage_areEqual() throws Exception {
    assertThat(ImageReference.parse("alpine:3.11")).isEqualTo(ImageReference.parse("docker.io/library/alpine:3.11"));
    assertThat(ImageReference.parse("alpine:3.11").hashCode())
        .isEqualTo(ImageReference.parse("index.docker.io/library/alpine:3.11").hashCode());
  }

  @Test
  void withDigest_pinsTheDigestAndKeepsWhatWasWritten() throws Exception {
    ImageReference ref = ImageReference.parse("alpine:3.11").withDigest(Digest.parse("sha256:" + HEX));
    assertThat(ref.original()).isEqualTo("alpine:3.11");
    assertThat(ref.toString()).isEqualTo("docker.io/library/alpine:3.11@sha256:" + HEX);
  }

  @ParameterizedTest(name = "\"{0}\"")
  @ValueSource(strings = {
      "", " ", "Alpine", "alpine:", ":tag", "alpine::1", "alpine:-x", "alpine:.x", "alpine@", "alpine@sha256:",
      "alpine@sha256:abc", "alpine@md5:" + "00112233445566778899aabbccddeeff", "alpine@SHA256:" + HEX,
      "alpine@sha256:" + "B3F3ECCFD27C9864312AF3796067E7DB28007A1566E1E042C5862EED3FF1B2C8",
      "alpine@sha256:" + HEX + "00", "a//b", "a/", "/a", "a..b", "a_-b", "-a", "a-", "host:port/app",
      "gcr.io/p/App", "alpine:3.11 ", "alp ine", "alpine\n", "gcr.io:/app", "-gcr.io/app", "ex ample.com/a",
  })
  void parse_invalidReferences_throwWithTheInput(String text) {
    assertThatThrownBy(() -> ImageReference.parse(text))
        .isInstanceOf(InvalidReferenceException.class)
        .satisfies(e -> assertThat(((InvalidReferenceException) e).input()).isEqualTo(text))
        .hasMessageStartingWith("invalid image reference");
  }

  @Test
  void parse_tooLongTag_isRejectedWithTheLimit() {
    String tag = "a".repeat(129);
    assertThatThrownBy(() -> ImageReference.parse("alpine:" + tag)).hasMessageContaining("1 to 128");
  }

  @Test
  void parse_tooLongName_isRejected() {
    String name = "a/".repeat(128) + "a";
    assertThatThrownBy(() -> ImageReference.parse(name)).hasMessageContaining("at most 255");
  }

  @Test
  void parse_controlCharacters_areEscapedInTheMessage() {
    assertThatThrownBy(() -> ImageReference.parse("alpine\u0000\u001b[31m"))
        .isInstanceOf(InvalidReferenceException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u0000").doesNotContain("\u001b"));
  }

  @Property(tries = 3000)
  void parse_arbitraryStrings_throwOnlyInvalidReferenceException(@ForAll("referenceLike") String text) {
    try {
      ImageReference ref = ImageReference.parse(text);
      // What parses must round-trip through its normalized form to the same reference.
      assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
    } catch (InvalidReferenceException expected) {
      assertThat(expected.input()).isEqualTo(text);
    }
  }

  @Property(tries = 1000)
  void parse_arbitraryUnicode_throwsOnlyInvalidReferenceException(@ForAll String text) {
    try {
      ImageReference.parse(text);
    } catch (InvalidReferenceException expected) {
      assertThat(expected.getMessage()).isNotEmpty();
    }
  }

  @Provide
  Arbitrary<String> referenceLike() {
    return Arbitraries.strings().withChars("abcAZ019-_.:/@[]sha256fF ").ofMinLength(0).ofMaxLength(80)
        .injectDuplicates(0.05)
        .edgeCases(e -> e.add("alpine@sha256:" + HEX));
  }
}
