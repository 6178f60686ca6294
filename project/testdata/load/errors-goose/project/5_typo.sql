-- +goose Upp
-- +goose Up
select 1;
