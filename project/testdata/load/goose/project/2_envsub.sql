-- +goose Up
-- +goose ENVSUB ON
create table ${TABLE} (id int);
-- +goose ENVSUB OFF
