create table m (id int);
