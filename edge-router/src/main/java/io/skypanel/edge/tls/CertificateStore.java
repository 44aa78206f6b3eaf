package io.skypanel.edge.tls;

import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The certificates the HTTPS listener can present, in memory: hostname → chain and key, plus the default
 * certificate for every other name. Lookups happen inside TLS handshakes, so they are map reads only.
 *
 * <p>Each stored certificate gets a unique alias. A handshake first chooses an alias and then asks for the
 * chain and the key by it; keeping replaced aliases until the next full {@link #replaceAll} means a certificate
 * swapped in between those two calls cannot make the handshake mix an old chain with a new key.
 */
public final class CertificateStore {

  static final String DEFAULT_ALIAS = "default";

  private record Entry(String alias, CertifiedKey key) {
  }

  private final Map<String, Entry> byHost = new ConcurrentHashMap<>();
  private final Map<String, CertifiedKey> byAlias = new ConcurrentHashMap<>();
  private final AtomicLong aliases = new AtomicLong();
  private volatile Runnable onChange = () -> { };

  public CertificateStore() {
  }

  public CertificateStore(CertifiedKey defaultCertificate) {
    setDefault(defaultCertificate);
  }

  /** Told after every change (metrics). */
  public void onChange(Runnable listener) {
    this.onChange = listener;
  }

  public void setDefault(CertifiedKey certificate) {
    byAlias.put(DEFAULT_ALIAS, certificate);
  }

  public void put(String host, CertifiedKey key) {
    Entry entry = new Entry("h" + aliases.incrementAndGet(), key);
    byAlias.put(entry.alias(), key);
    byHost.put(normalize(host), entry);
    onChange.run();
  }

  public void remove(String host) {
    byHost.remove(normalize(host));
    onChange.run();
  }

  /** Replaces every hostname's certificate; aliases of earlier certificates are forgotten here. */
  public synchronized void replaceAll(Map<String, CertifiedKey> certificates) {
    Map<String, Entry> fresh = new HashMap<>();
    certificates.forEach((host, key) -> fresh.put(normalize(host), new Entry("h" + aliases.incrementAndGet(), key)));
    fresh.values().forEach(entry -> byAlias.put(entry.alias(), entry.key()));
    byHost.putAll(fresh);
    byHost.keySet().retainAll(fresh.keySet());
    Set<String> live = new HashSet<>();
    live.add(DEFAULT_ALIAS);
    byHost.values().forEach(entry -> live.add(entry.alias()));
    byAlias.keySet().retainAll(live);
    onChange.run();
  }

  /** Whether HTTPS for {@code host} (no port) presents a certificate of its own rather than the default one. */
  public boolean hasCertificate(String host) {
    return host != null && find(normalize(host)) != null;
  }

  public int size() {
    return byHost.size();
  }

  /**
   * The alias to present for a handshake that asked for {@code serverName} (null without SNI) with a key of
   * {@code keyType}: the exact name, then a wildcard for its parent, then the default certificate; null when
   * none has a key of that type (the handshake then tries its next key type).
   */
  String alias(String serverName, String keyType) {
    if (serverName != null) {
      Entry entry = find(normalize(serverName));
      if (entry != null && entry.key().keyType().equals(keyType)) {
        return entry.alias();
      }
    }
    CertifiedKey fallback = byAlias.get(DEFAULT_ALIAS);
    return fallback != null && fallback.keyType().equals(keyType) ? DEFAULT_ALIAS : null;
  }

  CertifiedKey byAlias(String alias) {
    return alias == null ? null : byAlias.get(alias);
  }

  /** hostname → end of validity of its leaf certificate. */
  public Map<String, Instant> expiries() {
    Map<String, Instant> expiries = new HashMap<>();
    byHost.forEach((host, entry) -> expiries.put(host, entry.key().notAfter()));
    return expiries;
  }

  private Entry find(String host) {
    Entry exact = usable(byHost.get(host));
    if (exact != null) {
      return exact;
    }
    int dot = host.indexOf('.');
    return dot > 0 ? usable(byHost.get("*" + host.substring(dot))) : null;
  }

  /** An expired certificate is worse than the default one: browsers reject both, but it hides the problem. */
  private static Entry usable(Entry entry) {
    return entry != null && entry.key().notAfter().isAfter(Instant.now()) ? entry : null;
  }

  private static String normalize(String host) {
    String lower = host.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
  }
}
