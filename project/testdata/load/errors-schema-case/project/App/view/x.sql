create view x as select 1;
