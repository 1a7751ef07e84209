package io.genstream.core.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Where a service finds Kafka and how its clients talk to it: the bootstrap servers plus the
 * user's client properties (security protocol, SASL, TLS, timeouts, …). Every producer,
 * consumer and admin client of every service is built from one of these, through
 * {@link #clientProperties(Map, Map)}.
 *
 * <p><b>Precedence</b>, lowest first: the client's own defaults (linger, fetch sizes, timeouts)
 * &lt; the properties file ({@code --command-config}) &lt; {@code -X key=value} overrides
 * &lt; the client's <i>essential</i> settings — the bootstrap servers, the group id,
 * {@code enable.auto.commit=false}, {@code acks=all}, idempotence as the service wants it
 * (on by default; off where a service turns it off for itself), no topic auto-creation on
 * lookups, ingest's one request in flight — which win because a user value there would break
 * the pipeline's delivery guarantees rather than tune it. Everything else (timeouts, linger,
 * fetch sizes, compression, client id, security) is the user's to set. The bootstrap servers come only from {@code -b}:
 * {@code bootstrap.servers} among the properties is refused, so that there is one place to
 * look.
 *
 * <p><b>Secrets.</b> {@link #toString()} and {@link #redacted(Map)} replace the value of every
 * {@linkplain #isSecret secret key} with {@value #REDACTED}; log only those.
 *
 * @param bootstrapServers {@code host:port[,host:port…]}
 * @param properties the user's client properties, without {@code bootstrap.servers}
 */
public record KafkaConnection(String bootstrapServers, Map<String, String> properties) {

  /** What a secret value is replaced with in text. */
  public static final String REDACTED = "[redacted]";

  private static final Pattern JAAS_USERNAME = Pattern.compile("username\\s*=\\s*\"([^\"]*)\"");

  public KafkaConnection {
    Objects.requireNonNull(bootstrapServers, "bootstrapServers");
    if (bootstrapServers.isBlank()) {
      throw new IllegalArgumentException("bootstrap servers must not be blank");
    }
    properties = Map.copyOf(properties);
    if (properties.containsKey(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG
          + " is set with -b/--bootstrap-server, not among the client properties");
    }
  }

  /** Plaintext, no client properties: the embedded broker, tests. */
  public static KafkaConnection of(String bootstrapServers) {
    return new KafkaConnection(bootstrapServers, Map.of());
  }

  /**
   * The user's settings, layered: {@code file} (a Java properties file, may be {@code null})
   * then {@code overrides} on top.
   *
   * @throws UncheckedIOException if the file cannot be read
   * @throws IllegalArgumentException if either sets {@code bootstrap.servers}
   */
  public static KafkaConnection load(
      String bootstrapServers, Path file, Map<String, String> overrides) {
    Map<String, String> merged = new HashMap<>();
    if (file != null) {
      Properties fromFile = new Properties();
      try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        fromFile.load(reader);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read Kafka client properties " + file, e);
      }
      fromFile.stringPropertyNames().forEach(k -> merged.put(k, fromFile.getProperty(k).trim()));
    }
    merged.putAll(overrides);
    return new KafkaConnection(bootstrapServers, merged);
  }

  /** The same settings against other bootstrap servers (a second cluster with the same login). */
  public KafkaConnection withBootstrapServers(String other) {
    return new KafkaConnection(other, properties);
  }

  /**
   * The final configuration of one client: {@code defaults} &lt; the user's properties &lt;
   * {@code essentials} &lt; the bootstrap servers.
   */
  public Map<String, Object> clientProperties(
      Map<String, ?> defaults, Map<String, ?> essentials) {
    Map<String, Object> props = new HashMap<>(defaults);
    props.putAll(properties);
    props.putAll(essentials);
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return props;
  }

  /** {@link #clientProperties(Map, Map)} with no defaults or essentials: for an admin client. */
  public Map<String, Object> clientProperties() {
    return clientProperties(Map.of(), Map.of());
  }

  /**
   * {@code props} for a consumer that belongs to no group (it reads by assignment): a group id or
   * a static member id ({@code group.instance.id}) among the user's properties is meant for the
   * services' group consumers, and Kafka refuses the latter without a group.
   */
  public static Map<String, Object> withoutGroup(Map<String, Object> props) {
    props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG);
    props.remove(org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
    return props;
  }

  /** The SASL user these settings log in as, if any, for messages. */
  public String user() {
    String username = properties.get("sasl.username");
    if (username != null) {
      return username;
    }
    String jaas = properties.get("sasl.jaas.config");
    if (jaas != null) {
      Matcher m = JAAS_USERNAME.matcher(jaas);
      if (m.find()) {
        return m.group(1);
      }
    }
    return null;
  }

  /**
   * Whether the value of {@code key} is a secret that must never be printed: any key
   * containing {@code password} or {@code secret} ({@code ssl.truststore.password},
   * {@code sasl.oauthbearer.client.credentials.client.secret}, …), any {@code jaas.config}
   * (it embeds the password) and inline PEM keys ({@code ssl.keystore.key}).
   */
  public static boolean isSecret(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    return k.contains("password") || k.contains("secret") || k.endsWith("jaas.config")
        || k.endsWith(".key");
  }

  /** A sorted copy of {@code props} fit to print: secret values replaced by {@value #REDACTED}. */
  public static Map<String, Object> redacted(Map<String, ?> props) {
    Map<String, Object> copy = new TreeMap<>();
    props.forEach((k, v) -> copy.put(k, isSecret(k) ? REDACTED : v));
    return copy;
  }

  /** Bootstrap servers and properties, secrets redacted. */
  @Override
  public String toString() {
    return "KafkaConnection[bootstrapServers=" + bootstrapServers
        + ", properties=" + redacted(properties) + "]";
  }
}
