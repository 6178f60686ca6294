--liquibase formatted sql

--changeset ada:3
create table t3 (id int);
