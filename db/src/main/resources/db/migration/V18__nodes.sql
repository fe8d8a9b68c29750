-- The gateways sharing this database (issue 22, docs/cluster.md): each registers itself when it
-- starts and moves last_seen_at every heartbeat. Portable SQL (H2 and PostgreSQL); second
-- precision is plenty here, so TIMESTAMP WITH TIME ZONE keeps its default precision.

CREATE TABLE nodes (
    id           VARCHAR(64)   NOT NULL PRIMARY KEY,
    address      VARCHAR(2048) NOT NULL,
    version      VARCHAR(64)   NOT NULL,
    -- the GPUs its provider reported at start, as JSON: [{"index":0,"name":"...","memory_total_mib":81559}]
    gpus_json    VARCHAR       NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    last_seen_at TIMESTAMP WITH TIME ZONE NOT NULL
);
