-- Usage accounting cost (issue 21): every raw row paid for three B-tree inserts (the primary key and
-- two secondary indexes), and that CPU is taken from the request path on a small machine. No read
-- uses them: usage is read from usage_hourly, budgets from usage_hourly, pruning walks the primary
-- key (ids grow with time: rows are appended in the order requests finish). One insert per row now.
DROP INDEX usage_records_key_idx;
DROP INDEX usage_records_at_idx;
