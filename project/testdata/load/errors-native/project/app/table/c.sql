-- tandem:rollback
drop table c;
-- tandem:change c1
create table c (id int);
