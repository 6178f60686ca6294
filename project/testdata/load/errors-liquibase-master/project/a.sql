--liquibase formatted sql
--changeset ada:1
select 1;
