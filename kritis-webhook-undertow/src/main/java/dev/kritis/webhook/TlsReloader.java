package dev.kritis.webhook;

import io.undertow.Undertow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swaps in a new certificate when the PEM files change (cert-manager renews, kubelet updates the
 * secret volume). Polls modification time and size; a new pair that does not load is logged in
 * one line and the old one keeps serving. Open connections keep their session; new ones get the
 * new certificate.
 */
final class TlsReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(TlsReloader.class);

  private final Path certFile;
  private final Path keyFile;
  private final Undertow.ListenerInfo listener;
  private final ScheduledExecutorService poller;
  private String seen;

  TlsReloader(Path certFile, Path keyFile, Undertow.ListenerInfo listener, Duration interval) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.listener = listener;
    this.seen = stamp();
    this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "kritis-tls-reload");
      t.setDaemon(true);
      return t;
    });
    poller.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  private String stamp() {
    try {
      return Files.getLastModifiedTime(certFile).toMillis() + "/" + Files.size(certFile) + " "
          + Files.getLastModifiedTime(keyFile).toMillis() + "/" + Files.size(keyFile);
    } catch (IOException e) {
      return "unreadable";
    }
  }

  private void check() {
    String now = stamp();
    if (now.equals(seen)) {
      return;
    }
    try {
      TlsCredentials credentials = TlsCredentials.fromPem(certFile, keyFile);
      listener.setSslContext(credentials.sslContext());
      seen = now;
      LOG.info("TLS certificate reloaded from {}: subject {}, expires {}", certFile,
          credentials.certificate().getSubjectX500Principal(), credentials.certificate().getNotAfter().toInstant());
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      // Often a half-written pair: retried on the next change, the old certificate keeps serving.
      seen = now;
      LOG.warn("TLS certificate reload failed, keeping the current one: {}", e.getMessage());
    }
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
