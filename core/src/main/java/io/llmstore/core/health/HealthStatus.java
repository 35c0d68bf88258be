package io.llmstore.core.health;

/** UP: everything answers. DEGRADED: an optional component is down. DOWN: a critical component is down. */
public enum HealthStatus {
    UP, DEGRADED, DOWN
}
