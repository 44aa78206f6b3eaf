package io.skypanel.controlplane.caas.domains;

import io.skypanel.controlplane.ControlPlaneOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Proves control of a hostname: asks the configured resolver (Vert.x {@link DnsClient}, non-blocking) for the TXT
 * record {@code _skypanel-challenge.<hostname>} and looks for the domain's token among its values. The resolver is
 * {@code SKYPANEL_DNS_SERVER} when set (checked at start), otherwise the first nameserver of
 * {@code /etc/resolv.conf}, read once on first use, otherwise {@link DnsServer#LOCAL}. The answer never fails: what
 * was found (no record, other values, a DNS error) comes back as a sentence for the customer, without the resolver's
 * address.
 */
public final class DnsTxtVerifier {

  public static final String CHALLENGE_LABEL = "_skypanel-challenge";
  static final String RESOLV_CONF = "/etc/resolv.conf";

  private static final Logger LOG = LoggerFactory.getLogger(DnsTxtVerifier.class);
  private static final int SHOWN_VALUES = 5;
  private static final int SHOWN_VALUE_LENGTH = 80;

  private final Vertx vertx;
  private final DnsServer configured;
  private final long timeoutMs;
  private Future<DnsClient> client;

  public DnsTxtVerifier(Vertx vertx, ControlPlaneOptions.Caas options) {
    this.vertx = vertx;
    String server = options.dnsServer();
    this.configured = server == null ? null : DnsServer.parse(server);
    this.timeoutMs = options.dnsTimeout().toMillis();
    if (timeoutMs <= 0) {
      throw new IllegalArgumentException("SKYPANEL_DNS_TIMEOUT_MS must be positive, got " + timeoutMs);
    }
  }

  /** What a check found: {@code verified}, or why not in words the customer can act on. */
  public record Check(boolean verified, String problem) {

    static Check ok() {
      return new Check(true, null);
    }

    static Check failed(String problem) {
      return new Check(false, problem);
    }
  }

  /** Looks the challenge record of {@code hostname} up now (no cache) and compares its values with {@code token}. */
  public Future<Check> check(String hostname, String token) {
    String name = Hostnames.challengeName(hostname);
    // absolute: no search domains of the resolver's host are appended
    return client().compose(dns -> dns.resolveTXT(name + ".")).transform(answer -> {
      if (answer.succeeded()) {
        return Future.succeededFuture(compare(name, answer.result(), token));
      }
      Throwable err = answer.cause();
      if (err instanceof DnsException dns && dns.code() == DnsResponseCode.NXDOMAIN) {
        return Future.succeededFuture(Check.failed("no TXT record found at " + name + " (the name does not exist); add a TXT record "
            + name + " with the verification value"));
      }
      LOG.debug("TXT lookup of {} failed: {}", name, err.toString());
      String why = err instanceof DnsException dns ? "the DNS server answered " + dns.code().name()
          : "the DNS lookup did not complete (timed out or no answer)";
      return Future.succeededFuture(Check.failed("could not look up the TXT record at " + name + ": " + why + "; try again later"));
    });
  }

  static Check compare(String name, List<String> values, String token) {
    if (values.stream().map(String::trim).anyMatch(token::equals)) {
      return Check.ok();
    }
    if (values.isEmpty()) {
      return Check.failed("no TXT record found at " + name + "; add a TXT record " + name + " with the verification value");
    }
    String shown = values.stream().limit(SHOWN_VALUES).map(DnsTxtVerifier::printable).collect(Collectors.joining(", "));
    return Check.failed("the TXT record at " + name + " has " + (values.size() == 1 ? "the value " : values.size() + " values ") + shown
        + (values.size() > SHOWN_VALUES ? ", ..." : "") + " but not this domain's verification value");
  }

  /** Quoted, shortened, without control characters: the values are the customer's own, shown back to them. */
  private static String printable(String value) {
    String clean = value.replaceAll("\\p{Cntrl}", "?");
    return "\"" + (clean.length() > SHOWN_VALUE_LENGTH ? clean.substring(0, SHOWN_VALUE_LENGTH) + "..." : clean) + "\"";
  }

  private synchronized Future<DnsClient> client() {
    if (client == null) {
      client = server().map(server -> {
        LOG.info("custom domain checks ask the DNS server {}", server);
        return vertx.createDnsClient(new DnsClientOptions().setHost(server.host()).setPort(server.port())
            .setQueryTimeout(timeoutMs).setRecursionDesired(true));
      });
    }
    return client;
  }

  private Future<DnsServer> server() {
    if (configured != null) {
      return Future.succeededFuture(configured);
    }
    return vertx.fileSystem().readFile(RESOLV_CONF)
        .map(content -> DnsServer.fromResolvConf(content.toString()))
        .recover(err -> {
          // no readable resolv.conf (e.g. a minimal container): said here, then the local server below
          LOG.warn("could not read {}: {}", RESOLV_CONF, err.getMessage(), err);
          return Future.succeededFuture(null);
        })
        .map(found -> {
          if (found == null) {
            LOG.warn("{} names no usable nameserver and SKYPANEL_DNS_SERVER is not set; custom domain checks ask {}", RESOLV_CONF, DnsServer.LOCAL);
            return DnsServer.LOCAL;
          }
          return found;
        });
  }

  public synchronized Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.compose(DnsClient::close)
        .recover(err -> {
          // closing is the last thing done with the client: nothing to retry, say it and finish
          LOG.warn("closing the DNS client failed: {}", err.getMessage(), err);
          return Future.succeededFuture();
        });
  }
}
