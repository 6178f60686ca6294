--liquibase formatted sql
create table loose (id int);

--changeset ada:1 failOnError:false
--precondition-sql-check expectedResult:0 select count(*) from t
create table t (id int);

--changeset ada:1 context:"a and b" colour:blue runInTransaction:maybe
create table u (id int);

--changeset ada:empty

--changeset ada:mix context:a,!b dbms:oracle
select 1;
