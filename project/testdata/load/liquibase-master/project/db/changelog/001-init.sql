--liquibase formatted sql

--changeset ada:1
create table t1 (id int);
