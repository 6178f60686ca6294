-- tandem:change create
create table countries (
    code char(2) primary key,
    name varchar(100) not null
);
-- tandem:rollback
drop table countries;
