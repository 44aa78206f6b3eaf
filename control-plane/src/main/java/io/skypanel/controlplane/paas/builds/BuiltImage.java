package io.skypanel.controlplane.paas.builds;

import java.util.Map;

/**
 * What a builder produced: an image in the local engine tagged {@link BuildJob#imageTag()} and what it runs.
 *
 * @param imageTag     the local tag (pushed to the registry afterwards by the build service)
 * @param processTypes Procfile entries (type to command); {@code web} from {@code CMD}/the buildpack's release when
 *                     there is no Procfile; empty when the image's own command is the web process
 * @param port         the port the web process listens on ({@code EXPOSE}), or null for the platform default
 * @param builder      which builder made it: {@code dockerfile} or {@code buildpacks:<slug>}
 */
public record BuiltImage(String imageTag, Map<String, String> processTypes, Integer port, String builder) {
}
