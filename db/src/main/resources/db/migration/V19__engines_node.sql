-- Which node (gateway) launched and supervises each engine (issue 22, docs/cluster.md): a gateway
-- loads, adopts and relaunches only its own engines. NULL for rows written before this
-- migration: the first node that starts on the database takes them (on H2, the only one).
ALTER TABLE engines ADD COLUMN node_id VARCHAR(64);

CREATE INDEX engines_node_idx ON engines (node_id, created_at, id);
