drop table first;
