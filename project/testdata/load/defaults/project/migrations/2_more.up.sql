alter table m add column x int;
