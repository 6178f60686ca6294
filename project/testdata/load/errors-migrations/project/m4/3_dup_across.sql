-- +goose Up
select 3;
