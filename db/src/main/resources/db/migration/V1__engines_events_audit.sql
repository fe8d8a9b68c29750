-- The engine registry, its transitions and the audit log (SPEC.md section 4).
-- Never edit an applied migration: add V2, V3, ... instead.

CREATE TABLE engines (
    id                   VARCHAR(32)  NOT NULL PRIMARY KEY,
    model                VARCHAR(512) NOT NULL,
    served_model_name    VARCHAR(512) NOT NULL,
    engine_kind          VARCHAR(16)  NOT NULL,
    runtime              VARCHAR(32)  NOT NULL,
    label                VARCHAR(256),
    spec_json            CLOB         NOT NULL,
    state                VARCHAR(16)  NOT NULL,
    desired_state        VARCHAR(16)  NOT NULL,
    host                 VARCHAR(256),
    port                 INT,
    base_url             VARCHAR(2048),
    pid                  BIGINT,
    process_start_time   TIMESTAMP WITH TIME ZONE,
    command_line         CLOB,
    gpu_ids              VARCHAR(512) NOT NULL DEFAULT '',
    gpu_memory_mib       BIGINT       NOT NULL DEFAULT 0,
    engine_api_key       VARCHAR(1024),
    created_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at           TIMESTAMP WITH TIME ZONE NOT NULL,
    state_since          TIMESTAMP WITH TIME ZONE NOT NULL,
    last_heartbeat_at    TIMESTAMP WITH TIME ZONE,
    consecutive_failures INT          NOT NULL DEFAULT 0,
    restart_count        INT          NOT NULL DEFAULT 0,
    last_error           CLOB
);

-- No foreign key on purpose: events outlive an engine that was purged.
CREATE TABLE engine_events (
    id         BIGINT AUTO_INCREMENT PRIMARY KEY,
    engine_id  VARCHAR(32) NOT NULL,
    from_state VARCHAR(16),
    to_state   VARCHAR(16) NOT NULL,
    reason     CLOB        NOT NULL,
    at         TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX engine_events_by_engine ON engine_events (engine_id, id);

CREATE TABLE audit_log (
    id      BIGINT AUTO_INCREMENT PRIMARY KEY,
    at      TIMESTAMP WITH TIME ZONE NOT NULL,
    actor   VARCHAR(128) NOT NULL,
    action  VARCHAR(64)  NOT NULL,
    target  VARCHAR(128),
    outcome VARCHAR(16)  NOT NULL,
    detail  CLOB
);
CREATE INDEX audit_log_by_action ON audit_log (action, id);
CREATE INDEX audit_log_by_target ON audit_log (target, id);
CREATE INDEX audit_log_by_actor ON audit_log (actor, id);
