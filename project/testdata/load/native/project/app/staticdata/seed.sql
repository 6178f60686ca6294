insert into seed values (1);
