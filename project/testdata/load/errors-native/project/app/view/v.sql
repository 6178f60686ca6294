-- tandem:change v1
create view v as select 1;
-- tandem:rollback
drop view v;
