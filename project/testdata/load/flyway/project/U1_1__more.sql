alter table a drop column b;
