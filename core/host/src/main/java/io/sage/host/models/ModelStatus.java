package io.sage.host.models;

import java.time.Instant;

/**
 * A declared model now.
 *
 * @param declaration what is declared
 * @param state running, loading or idle
 * @param readyEngines READY engines of the current revision or not
 * @param engines engines meant to run
 * @param inFlight requests in flight on its engines
 * @param waiting requests waiting for it to load
 * @param lastUsed when a request last asked for it (null: never since the gateway started)
 */
public record ModelStatus(
    ModelDeclaration declaration,
    ModelState state,
    int readyEngines,
    int engines,
    int inFlight,
    int waiting,
    Instant lastUsed) {}
