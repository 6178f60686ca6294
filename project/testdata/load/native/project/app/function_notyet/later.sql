create function later() returns int as $$ select 1 $$ language sql;
