-- migrate:up transaction:false
CREATE INDEX users_name_idx ON users (name);

-- migrate:down
DROP INDEX users_name_idx;
