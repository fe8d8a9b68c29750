-- A third key scope: 'metrics' keys may read /metrics and /metrics/engines and nothing else
-- (Prometheus' authorization block).
ALTER TABLE api_keys DROP CONSTRAINT api_keys_scope_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_scope_check CHECK (scope IN ('admin', 'inference', 'metrics'));
