package io.skypanel.exec.access;

import java.util.UUID;

/** The parts of a {@code paas_containers} row the exec proxy needs. {@code serviceId} is null before the first deploy. */
public record ContainerRef(UUID id, String name, String status, String serviceId) {
}
