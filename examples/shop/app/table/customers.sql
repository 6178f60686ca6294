-- tandem:change create
create table customers (
    id integer primary key,
    email varchar(200) not null,
    country_code char(2) not null references countries (code)
);
-- tandem:rollback
drop table customers;

-- tandem:change add_name
alter table customers add column name varchar(100);
-- tandem:rollback
alter table customers drop column name;
