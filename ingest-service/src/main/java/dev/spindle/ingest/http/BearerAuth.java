package dev.spindle.ingest.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.UnauthorizedResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

/**
 * Optional bearer-token auth: when tokens are configured, a request needs
 * {@code Authorization: Bearer <token>} with one of them. Tokens are compared in constant time
 * and never logged.
 */
final class BearerAuth implements Handler {
  private final List<byte[]> tokens;

  BearerAuth(Set<String> tokens) {
    this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  boolean enabled() {
    return !tokens.isEmpty();
  }

  @Override
  public void handle(Context ctx) {
    if (!enabled()) {
      return;
    }
    String header = ctx.header("Authorization");
    if (header == null || !header.startsWith("Bearer ")) {
      throw new UnauthorizedResponse("missing bearer token: send 'Authorization: Bearer <token>'");
    }
    byte[] presented = header.substring("Bearer ".length()).trim()
        .getBytes(StandardCharsets.UTF_8);
    boolean known = false;
    for (byte[] token : tokens) {
      known |= MessageDigest.isEqual(token, presented);
    }
    if (!known) {
      throw new UnauthorizedResponse("invalid bearer token");
    }
  }
}
