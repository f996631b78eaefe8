package dev.kritis.testkit.registry;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** One request {@link FakeRegistry} received: for assertions after the code under test ran. */
public final class RecordedRequest {
  private final String method;
  private final String target;
  private final Map<String, List<String>> headers;
  private final int remotePort;

  RecordedRequest(String method, String target, Map<String, List<String>> headers, int remotePort) {
    this.method = method;
    this.target = target;
    this.headers = headers;
    this.remotePort = remotePort;
  }

  public String method() {
    return method;
  }

  /** The raw path and query, e.g. {@code /v2/app/manifests/v1}. */
  public String target() {
    return target;
  }

  /** The path without the query. */
  public String path() {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** The first value of a header (names are case-insensitive). */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The client's port: distinct ports are distinct connections. */
  public int remotePort() {
    return remotePort;
  }

  @Override
  public String toString() {
    return method + " " + target;
  }
}
