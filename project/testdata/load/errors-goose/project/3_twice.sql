-- +goose Up
select 1;
-- +goose Up
-- +goose Down
select 2;
-- +goose Down
