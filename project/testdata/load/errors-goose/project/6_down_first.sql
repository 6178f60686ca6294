-- +goose Down
select 1;
-- +goose Up
select 2;
