alter table a add column b int;
