package dev.kritis.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The arguments deploy/03-webhook.yaml gives the container are ones {@code kritis serve} accepts. */
class DeployArgsTest {
  private static final Path MANIFEST = Path.of(System.getProperty("user.dir")).getParent().resolve("deploy/03-webhook.yaml");

  @Test
  void deploymentArgs_areAcceptedByServe() throws Exception {
    List<String> args = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = new YAMLMapper().readerFor(JsonNode.class).readValues(MANIFEST.toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc != null && "Deployment".equals(doc.path("kind").asText())) {
          doc.at("/spec/template/spec/containers/0/args").forEach(a -> args.add(a.asText()));
        }
      }
    }
    assertThat(args).first().isEqualTo("serve");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(args.toArray(new String[0]), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    // Outside a pod the mounted certificate does not exist: the options parse, then starting fails on it.
    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).doesNotContain("unknown option").doesNotContain("needs a value")
        .contains("/etc/kritis/tls/tls.crt");
  }
}
