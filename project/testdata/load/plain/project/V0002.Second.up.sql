create table b (id int);
