--liquibase formatted sql

--changeset ada:1
--comment: the authors table
create table authors (id integer primary key, name varchar(100) not null);
--rollback drop table authors;

--changeset ada:2 context:test
insert into authors (id, name) values (1, 'Test Author');
--rollback delete from authors where id = 1;

--changeset "Charles Babbage":3 dbms:postgresql runInTransaction:false labels:search
create index concurrently authors_name on authors (name);
--rollback not required
