package dev.kritis.core.crypto.internal;

import java.security.GeneralSecurityException;

/**
 * Verifies a detached PKIX signature over a payload with one algorithm. Implementations are
 * immutable and thread-safe; everything expensive (key decoding, provider lookup) happens once
 * when they are built. The exception message is not meant for users: the caller replaces it with
 * one generic message so that no detail about why a signature failed leaks out.
 */
public interface PkixVerifier {
  void verify(byte[] signature, byte[] data) throws GeneralSecurityException;

  /** Which JCA provider or implementation does the arithmetic, e.g. "Conscrypt". */
  String providerName();
}
