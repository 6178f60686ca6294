drop table m;
