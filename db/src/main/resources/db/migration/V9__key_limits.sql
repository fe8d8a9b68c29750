-- Per-key limits (issue 21), all opt-in: a NULL column means no such limit. Kept apart from
-- api_keys so that a key's identity and its limits change independently (and are audited apart).

CREATE TABLE key_limits (
    key_id         VARCHAR(64)  NOT NULL PRIMARY KEY,
    -- requests per minute
    rpm            INTEGER,
    -- tokens (prompt + completion) per minute
    tpm            BIGINT,
    -- tokens per budget period
    budget_tokens  BIGINT,
    -- 'day' or 'month' (UTC), set together with budget_tokens
    budget_period  VARCHAR(8),
    -- share of the engines under saturation, relative to other keys (default 1)
    weight         INTEGER      DEFAULT 1 NOT NULL,
    updated_at     TIMESTAMP(9) WITH TIME ZONE NOT NULL,
    CONSTRAINT key_limits_rpm_check CHECK (rpm IS NULL OR rpm > 0),
    CONSTRAINT key_limits_tpm_check CHECK (tpm IS NULL OR tpm > 0),
    CONSTRAINT key_limits_budget_check CHECK (
        (budget_tokens IS NULL AND budget_period IS NULL)
        OR (budget_tokens > 0 AND budget_period IN ('day', 'month'))),
    CONSTRAINT key_limits_weight_check CHECK (weight BETWEEN 1 AND 100)
);
