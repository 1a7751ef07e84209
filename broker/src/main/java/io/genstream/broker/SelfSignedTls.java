package io.genstream.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway TLS identity for tests of the broker's TLS listeners and their clients: a
 * 2048-bit RSA key with a self-signed certificate for {@code 127.0.0.1} and {@code localhost}
 * (valid for two days) in a PKCS12 key store, and a PKCS12 trust store that holds only that
 * certificate. The certificate is its own CA, so whoever uses the trust store trusts this
 * identity and nothing else: give the broker one ({@link #brokerTls()}) and its clients the
 * trust store ({@link #trustSettings()}); for mutual TLS give a client one and the broker its
 * trust store.
 *
 * <p>Made with the JDK's {@code keytool} (the JDK has no public API that signs certificates),
 * which takes about a second per identity. The files stay in the caller's directory; the caller
 * deletes them. {@link #toString()} leaves out the passwords.
 */
public final class SelfSignedTls {

  private final String name;
  private final Path keyStore;
  private final String keyStorePassword;
  private final Path trustStore;
  private final String trustStorePassword;

  private SelfSignedTls(String name, Path keyStore, String keyStorePassword, Path trustStore,
      String trustStorePassword) {
    this.name = name;
    this.keyStore = keyStore;
    this.keyStorePassword = keyStorePassword;
    this.trustStore = trustStore;
    this.trustStorePassword = trustStorePassword;
  }

  /**
   * Makes {@code NAME.p12} (key and certificate; the key has the store's password) and
   * {@code NAME-trust.p12} (the certificate) in {@code dir}.
   *
   * @param name the certificate's alias and common name ({@code CN=genstream-test-NAME}), and
   *     the files' names; letters, digits and {@code -} only
   * @throws IllegalStateException if keytool fails, e.g. because the files already exist
   */
  public static SelfSignedTls create(Path dir, String name, String keyStorePassword,
      String trustStorePassword) {
    if (!name.matches("[A-Za-z0-9-]+")) {
      throw new IllegalArgumentException(
          "name must be letters, digits and '-' only, got '" + name + "'");
    }
    if (keyStorePassword.length() < 6 || trustStorePassword.length() < 6) {
      // keytool refuses shorter ones, with a prompt rather than an error.
      throw new IllegalArgumentException("store passwords must have at least 6 characters");
    }
    Path keyStore = dir.resolve(name + ".p12").toAbsolutePath();
    Path certificate = dir.resolve(name + ".pem").toAbsolutePath();
    Path trustStore = dir.resolve(name + "-trust.p12").toAbsolutePath();
    keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048",
        "-dname", "CN=genstream-test-" + name, "-ext", "SAN=ip:127.0.0.1,dns:localhost",
        "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
        "-storepass", keyStorePassword, "-keypass", keyStorePassword);
    keytool("-exportcert", "-rfc", "-alias", name, "-keystore", keyStore.toString(),
        "-storepass", keyStorePassword, "-file", certificate.toString());
    keytool("-importcert", "-noprompt", "-alias", name, "-file", certificate.toString(),
        "-storetype", "PKCS12", "-keystore", trustStore.toString(),
        "-storepass", trustStorePassword);
    return new SelfSignedTls(name, keyStore, keyStorePassword, trustStore, trustStorePassword);
  }

  /** The key store with the key and its certificate. */
  public Path keyStore() {
    return keyStore;
  }

  /** The trust store with only this identity's certificate. */
  public Path trustStore() {
    return trustStore;
  }

  /** This identity as the broker's, for {@link EmbeddedKafka.Config#withTls}. */
  public EmbeddedKafka.Tls brokerTls() {
    return new EmbeddedKafka.Tls(keyStore, keyStorePassword);
  }

  /**
   * The client settings ({@code ssl.truststore.*}) that trust this identity and nothing else;
   * prefix them with {@code listener.name.ssl.} for a broker that trusts client certificates.
   * Contains the trust store's password.
   */
  public Map<String, String> trustSettings() {
    return Map.of(
        "ssl.truststore.type", "PKCS12",
        "ssl.truststore.location", trustStore.toString(),
        "ssl.truststore.password", trustStorePassword);
  }

  /**
   * The client settings ({@code ssl.keystore.*}, {@code ssl.key.password}) that present this
   * identity's certificate, for mutual TLS. Contains the key store's password.
   */
  public Map<String, String> keySettings() {
    return Map.of(
        "ssl.keystore.type", "PKCS12",
        "ssl.keystore.location", keyStore.toString(),
        "ssl.keystore.password", keyStorePassword,
        "ssl.key.password", keyStorePassword);
  }

  /** The name and files, without the passwords. */
  @Override
  public String toString() {
    return "SelfSignedTls[" + name + ", keyStore=" + keyStore + ", trustStore=" + trustStore + "]";
  }

  private static void keytool(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      // Read before waiting: keytool blocks once a full pipe is not drained.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("keytool " + args[0] + " did not finish in 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("keytool " + args[0] + " failed: " + output.strip());
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run keytool " + args[0], e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool " + args[0], e);
    }
  }
}
