create table plain (id int);

-- tandem:rollback
drop table plain;
