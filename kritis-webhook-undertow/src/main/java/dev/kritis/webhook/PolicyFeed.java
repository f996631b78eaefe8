package dev.kritis.webhook;

import dev.kritis.core.policy.PolicyException;
import dev.kritis.core.policy.PolicySet;

/** Where policy manifests come from: directories on disk, the Kubernetes API. */
interface PolicyFeed extends AutoCloseable {

  /** Starts watching; {@code changed} is called (from any thread) whenever the content may have changed. */
  void start(Runnable changed);

  /** Null when the feed has its content; otherwise why not yet (for /readyz). */
  String notReadyReason();

  /** Adds the current content; throws for the first bad file or object, naming it. */
  void addTo(PolicySet.Builder builder) throws PolicyException;

  String describe();

  @Override
  void close();
}
