package io.sage.host.management;

/** A remote engine registration as the API received it; any field may be null. */
public record RegisterRequest(
    String model, String baseUrl, String engineKind, String apiKey, String label) {}
