-- tandem:change init
create table log (id int);
