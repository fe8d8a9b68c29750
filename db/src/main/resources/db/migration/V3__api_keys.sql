-- API keys (SPEC.md section 10). Only the SHA-256 of a key is stored: the key itself is shown
-- once, when it is created. Keys carry 256 random bits, so a fast hash is enough (nothing to
-- brute-force); a slow password hash would only cost every request time.
-- Revoked keys stay (revoked_at set) so the audit log's key ids keep meaning something.

CREATE TABLE api_keys (
    id           VARCHAR(64)   NOT NULL PRIMARY KEY,
    name         VARCHAR(256)  NOT NULL,
    scope        VARCHAR(16)   NOT NULL,
    -- model names the key may use, comma separated; NULL means every model
    models       VARCHAR,
    key_hash     VARCHAR(64)   NOT NULL,
    created_at   TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    last_used_at TIMESTAMP(9) WITH TIME ZONE,
    revoked_at   TIMESTAMP(9) WITH TIME ZONE,
    CONSTRAINT api_keys_scope_check CHECK (scope IN ('admin', 'inference')),
    CONSTRAINT api_keys_hash_unique UNIQUE (key_hash)
);
