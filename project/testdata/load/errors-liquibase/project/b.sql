create table plain (id int);
