
insert into audit values (now());
