CREATE INDEX CONCURRENTLY sessions_account_idx ON sessions (account_id);
