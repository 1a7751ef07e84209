package io.genstream.generator.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/**
 * Lets a request through when it carries one of the configured keys, as {@code X-API-Key: <key>}
 * or {@code Authorization: Bearer <key>}; fails it with 401 otherwise.
 *
 * <p>The comparison takes the same time whichever key (or how much of one) matched: the
 * presented key and every configured key are compared as SHA-256 digests (equal lengths) with
 * {@link MessageDigest#isEqual}, and every configured key is compared.
 */
final class ApiKeyHandler implements Handler<RoutingContext> {

  static final String API_KEY_HEADER = "X-API-Key";
  private static final String BEARER = "Bearer ";

  private final List<byte[]> keyDigests;

  ApiKeyHandler(Collection<String> keys) {
    this.keyDigests = keys.stream().map(ApiKeyHandler::sha256).toList();
  }

  @Override
  public void handle(RoutingContext ctx) {
    String presented = presentedKey(ctx);
    if (presented == null) {
      ctx.fail(new HttpException(401, "missing API key: send 'X-API-Key: <key>' or "
          + "'Authorization: Bearer <key>'"));
      return;
    }
    byte[] digest = sha256(presented);
    boolean match = false;
    for (byte[] key : keyDigests) {
      match |= MessageDigest.isEqual(digest, key);
    }
    if (match) {
      ctx.next();
    } else {
      ctx.fail(new HttpException(401, "invalid API key"));
    }
  }

  private static String presentedKey(RoutingContext ctx) {
    String key = ctx.request().getHeader(API_KEY_HEADER);
    if (key != null) {
      return key.trim();
    }
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null && authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return authorization.substring(BEARER.length()).trim();
    }
    return null;
  }

  private static byte[] sha256(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
