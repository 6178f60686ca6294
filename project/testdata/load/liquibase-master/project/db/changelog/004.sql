--liquibase formatted sql

--changeset ada:4
create table t4 (id int);
