package io.skypanel.controlplane.paas.addons.engines;

/**
 * What every {@link AddonEngine} answers from its constants and the configured images alone (service name, image
 * per version, port, data directory, URL variable), so each engine class holds only what differs: its server's
 * environment, command, health check and its dump, restore and rotation commands.
 */
public abstract class ConfiguredEngine implements AddonEngine {

  private final AddonImages images;
  private final String service;
  private final int port;
  private final String dataDirectory;
  private final String urlVariable;

  protected ConfiguredEngine(AddonImages images, String service, int port, String dataDirectory, String urlVariable) {
    this.images = images;
    this.service = service;
    this.port = port;
    this.dataDirectory = dataDirectory;
    this.urlVariable = urlVariable;
  }

  @Override
  public final String service() {
    return service;
  }

  @Override
  public final String image(String version) {
    return images.image(service, version);
  }

  @Override
  public final int port() {
    return port;
  }

  @Override
  public final String dataDirectory() {
    return dataDirectory;
  }

  @Override
  public final String urlVariable() {
    return urlVariable;
  }
}
