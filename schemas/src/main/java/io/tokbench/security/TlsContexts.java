package io.tokbench.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** SSL contexts from key and trust stores (PKCS12, or JKS), for the registry's HTTPS on both ends. */
public final class TlsContexts {
  private TlsContexts() {}

  /** Trusts exactly the certificates in the truststore (e.g. a private CA's). */
  public static SSLContext trusting(Path truststore, String password, String type) {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load(truststore, password, type));
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the truststore " + truststore + ": " + e.getMessage(), e);
    }
  }

  /** Presents the key and certificate in the keystore. */
  public static SSLContext presenting(Path keystore, String password, String type) {
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(keystore, password, type), password == null ? null : password.toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot use the keystore " + keystore + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path store, String password, String type) throws GeneralSecurityException, IOException {
    KeyStore keyStore = KeyStore.getInstance(type == null ? KeyStore.getDefaultType() : type);
    try (InputStream in = Files.newInputStream(store)) {
      keyStore.load(in, password == null ? null : password.toCharArray());
    }
    return keyStore;
  }
}
