create table b (id int);
-- tandem:rollback
drop table b;
-- tandem:change later
select 1;
-- tandem:object envs=x
