package io.sage.gateway.openai;

/**
 * How a proxied request ended.
 *
 * @param status the HTTP status sent to the client
 * @param engineId the engine that answered, or null when the gateway answered itself
 * @param completed true when the whole response reached the client
 * @param error why it did not complete, or null
 */
public record ProxyOutcome(int status, String engineId, boolean completed, String error) {}
