package dev.kritis.registry;

import dev.kritis.core.internal.UntrustedText;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kritis.core.attestation.Attestation;
import dev.kritis.core.attestation.AttestationSource;
import dev.kritis.core.attestation.AttestationSourceException;
import dev.kritis.core.attestation.GrafeasOccurrence;
import dev.kritis.core.attestation.InvalidAttestationException;
import dev.kritis.core.policy.AttestationAuthority;
import dev.kritis.core.reference.Digest;
import dev.kritis.core.reference.ImageReference;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Attestation occurrences from a Grafeas (or Container Analysis) server:
 * {@code GET {base}/v1/{noteReference}/occurrences?filter=resourceUrl="https://<repo>@<digest>"},
 * following {@code nextPageToken}. Pages are parsed exactly as the offline directory source
 * parses files ({@link GrafeasOccurrence#parseDocument}); only occurrences about the image and,
 * when they name a note, filed under the authority's note are kept. An authority without a
 * {@code noteReference} gets an empty list without a request.
 *
 * <p>Obtain one from {@link RegistryClient#grafeas}; thread-safe.
 */
public final class GrafeasAttestationSource implements AttestationSource {
  /** A page is a few occurrences; a document this large is not one. */
  private static final long MAX_PAGE_BYTES = 16L * 1024 * 1024;
  /** Guards against a server that keeps handing out page tokens. */
  private static final int MAX_PAGES = 100;

  private final HttpTransport transport;
  private final URI base;
  private final String bearerToken;
  private final LookupCache<String, List<Attestation>> cache;
  private final RegistryClient.CachePolicy cachePolicy;

  GrafeasAttestationSource(HttpTransport transport, URI base, String bearerToken,
      LookupCache<String, List<Attestation>> cache, RegistryClient.CachePolicy cachePolicy) {
    this.transport = transport;
    String text = base.toString();
    this.base = URI.create(text.endsWith("/") ? text : text + "/");
    this.bearerToken = bearerToken;
    this.cache = cache;
    this.cachePolicy = cachePolicy;
  }

  @Override
  public List<Attestation> attestationsFor(ImageReference image, AttestationAuthority authority, Instant deadline)
      throws AttestationSourceException {
    Objects.requireNonNull(deadline, "deadline");
    Optional<String> note = authority.noteReference();
    if (note.isEmpty()) {
      return List.of();
    }
    Digest digest = image.digest().orElseThrow(() -> new IllegalArgumentException("image must have a digest: " + image));
    String resourceUrl = "https://" + image.repository() + "@" + digest;
    String action = "list the occurrences of note " + note.get() + " for " + resourceUrl + " at " + base;
    try {
      return cache.get("grafeas " + base + " " + note.get() + " " + resourceUrl, deadline, action,
          () -> cachePolicy.forSignatures(list(image, note.get(), resourceUrl, deadline, action)));
    } catch (RegistryException e) {
      throw new AttestationSourceException(e.getMessage(), e);
    }
  }

  private List<Attestation> list(ImageReference image, String note, String resourceUrl, Instant deadline, String action)
      throws RegistryException {
    List<Attestation> result = new ArrayList<>();
    String filter = RegistryAuthenticator.encode("resourceUrl=\"" + resourceUrl + "\"");
    String pageToken = null;
    for (int page = 0; page < MAX_PAGES; page++) {
      URI uri;
      try {
        uri = base.resolve("v1/" + note + "/occurrences?filter=" + filter
            + (pageToken == null ? "" : "&pageToken=" + RegistryAuthenticator.encode(pageToken)));
      } catch (IllegalArgumentException e) {
        throw RegistryException.failed("Tried to " + action + " but failed because the note reference \""
            + UntrustedText.printable(note) + "\" cannot be part of a URL (expected projects/<project>/notes/<note>)", e);
      }
      HttpTransport.Request request = new HttpTransport.Request("GET", uri,
          bearerToken == null ? null : "Bearer " + bearerToken, null, MAX_PAGE_BYTES).header("Accept", "application/json");
      HttpTransport.Response response = transport.send(request, deadline, action);
      if (response.status != 200) {
        throw RegistryEndpoints.unexpected(response, action);
      }
      JsonNode root = Json.object(response.body, action, "page " + (page + 1) + " from " + uri);
      if (root.has("occurrences")) {
        List<GrafeasOccurrence> occurrences;
        try {
          occurrences = GrafeasOccurrence.parseDocument(response.body, uri.toString());
        } catch (InvalidAttestationException e) {
          throw RegistryException.failed("Tried to " + action + " but failed because " + e.getMessage(), e);
        }
        for (GrafeasOccurrence occurrence : occurrences) {
          if (occurrence.isAbout(image)
              && (occurrence.noteName().isEmpty() || occurrence.noteName().get().equals(note))) {
            result.addAll(occurrence.attestations());
          }
        }
      }
      pageToken = Json.optionalText(root, "nextPageToken");
      if (pageToken == null || pageToken.isEmpty()) {
        return result;
      }
    }
    throw RegistryException.failed("Tried to " + action + " but failed because the server returned more than "
        + MAX_PAGES + " pages");
  }

  @Override
  public String describe() {
    return "Grafeas occurrences at " + base;
  }
}
