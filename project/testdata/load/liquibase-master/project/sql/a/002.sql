--liquibase formatted sql

--changeset ada:2
create table t2 (id int);
