-- +goose Up
create table m2 (id int);
