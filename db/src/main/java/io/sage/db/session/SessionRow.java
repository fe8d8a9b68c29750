package io.sage.db.session;

import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;
import java.time.Instant;

/** One row of {@code sessions}. */
@MappedEntity(value = "sessions", escape = false)
record SessionRow(
    @Id String id,
    @Nullable String title,
    String ownerKeyId,
    Instant createdAt,
    Instant lastActiveAt) {}
