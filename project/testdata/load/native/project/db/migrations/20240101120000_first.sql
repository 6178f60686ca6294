-- +goose Up
create table m1 (id int);
-- +goose Down
drop table m1;
