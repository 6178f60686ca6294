-- +goose up
select 1;
-- +goose down
