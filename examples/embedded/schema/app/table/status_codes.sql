-- tandem:change create
create table status_codes (code integer primary key, label varchar(40) not null);
-- tandem:rollback
drop table status_codes;
