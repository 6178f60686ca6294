select 0;
-- +goose Up
select 1;
