package io.skypanel.edge.acme;

import io.skypanel.edge.tls.KeyPairs;
import io.skypanel.edge.tls.PemCodec;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.exception.AcmeException;

import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The blocking acme4j conversation, in two halves around publishing the challenge responses: {@link #prepare}
 * places the order and computes what the validator must see, {@link #complete} lets the CA validate, finalizes
 * with a fresh key and downloads the chain. Every method blocks on the network: call on the ACME worker only.
 */
final class AcmeClient {

  /** What the CA's validator must find, on any replica. */
  sealed interface ChallengeResponse permits Http01Response, AlpnResponse {
  }

  record Http01Response(String token, String keyAuthorization) implements ChallengeResponse {
  }

  record AlpnResponse(String hostname, ChallengeStore.AlpnCertificate certificate) implements ChallengeResponse {
  }

  /** An order whose challenge responses must be published before {@link #complete} triggers them. */
  record PendingOrder(String hostname, Order order, List<Challenge> challenges, List<ChallengeResponse> responses) {
  }

  /** What goes into the domain's row. */
  record IssuedCertificate(String chainPem, String privateKeyPem, String issuer, Instant notBefore, Instant notAfter) {
  }

  private final AcmeOptions options;
  private final KeyPair accountKey;
  private Login login;

  AcmeClient(AcmeOptions options, KeyPair accountKey) {
    this.options = options;
    this.accountKey = accountKey;
  }

  /** Registers the account on first use, or finds it again by its key (ACME accounts are keyed by their key). */
  synchronized Login login() throws AcmeException {
    if (login == null) {
      Session session = options.trustPemFile() == null
          ? new Session(options.directory())
          : new Session(URI.create(options.directory()), new TrustingAcmeProvider(TrustingAcmeProvider.trusting(Path.of(options.trustPemFile()))));
      AccountBuilder account = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey);
      if (options.email() != null) {
        account.addEmail(options.email());
      }
      login = account.createLogin(session);
    }
    return login;
  }

  PendingOrder prepare(String hostname) throws AcmeException, AcmeFailure {
    Order order = login().newOrder().domain(hostname).create();
    List<Challenge> challenges = new ArrayList<>();
    List<ChallengeResponse> responses = new ArrayList<>();
    for (Authorization authorization : order.getAuthorizations()) {
      if (authorization.getStatus() == Status.VALID) {
        continue; // the CA remembers a recent validation of this name
      }
      String name = authorization.getIdentifier().getDomain();
      if (AcmeOptions.TLS_ALPN_01.equals(options.challenge())) {
        TlsAlpn01Challenge challenge = authorization.findChallenge(TlsAlpn01Challenge.class)
            .orElseThrow(() -> new AcmeFailure("the CA offers no tls-alpn-01 challenge for " + name, null));
        // RSA: acme4j signs the self-signed challenge certificate with SHA256withRSA
        KeyPair challengeKey = KeyPairs.rsa2048();
        X509Certificate certificate = challenge.createCertificate(challengeKey, authorization.getIdentifier());
        challenges.add(challenge);
        responses.add(new AlpnResponse(name, new ChallengeStore.AlpnCertificate(
            PemCodec.chainPem(List.of(certificate)), PemCodec.privateKeyPem(challengeKey.getPrivate()))));
      } else {
        Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class)
            .orElseThrow(() -> new AcmeFailure("the CA offers no http-01 challenge for " + name, null));
        challenges.add(challenge);
        responses.add(new Http01Response(challenge.getToken(), challenge.getAuthorization()));
      }
    }
    return new PendingOrder(hostname, order, challenges, responses);
  }

  IssuedCertificate complete(PendingOrder pending) throws AcmeException, AcmeFailure, InterruptedException {
    Duration timeout = options.orderTimeout();
    for (Challenge challenge : pending.challenges()) {
      challenge.trigger();
      if (challenge.waitForCompletion(timeout) != Status.VALID) {
        throw AcmeFailure.of(challenge.getType() + " validation of " + pending.hostname() + " failed", challenge.getError().orElse(null));
      }
    }
    Order order = pending.order();
    if (order.waitUntilReady(timeout) != Status.READY) {
      throw AcmeFailure.of("the order for " + pending.hostname() + " is " + order.getStatus().name().toLowerCase(), order.getError().orElse(null));
    }
    KeyPair domainKey = KeyPairs.ecP256();
    order.execute(domainKey);
    if (order.waitForCompletion(timeout) != Status.VALID) {
      throw AcmeFailure.of("the CA did not issue the certificate for " + pending.hostname(), order.getError().orElse(null));
    }
    List<X509Certificate> chain = order.getCertificate().getCertificateChain();
    X509Certificate leaf = chain.get(0);
    String issuer = leaf.getIssuerX500Principal().getName();
    return new IssuedCertificate(PemCodec.chainPem(chain), PemCodec.privateKeyPem(domainKey.getPrivate()),
        issuer.length() > 255 ? issuer.substring(0, 255) : issuer,
        leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant());
  }
}
