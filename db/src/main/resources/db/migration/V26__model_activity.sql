-- What each node saw of the declared models (issue 22, docs/cluster.md): written by every node
-- every second or so, read by the leader, which applies on-demand starts, idle unload and scaling
-- for the whole cluster. last_used_at: the last request this node got for the model (NULL: none
-- yet); waiting: requests waiting on this node for an engine to load; in_flight: requests this
-- node has in flight on the model's engines; updated_at: when the node last wrote the row.
CREATE TABLE model_activity (
    node_id      VARCHAR(64)  NOT NULL,
    model        VARCHAR(255) NOT NULL,
    last_used_at TIMESTAMP WITH TIME ZONE,
    waiting      INTEGER      NOT NULL,
    in_flight    INTEGER      NOT NULL,
    updated_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (node_id, model)
);

-- finished commands are pruned by age (the leader): find them by when they last changed
CREATE INDEX engine_commands_updated_idx ON engine_commands (state, updated_at);
