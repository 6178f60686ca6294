create or replace function f() returns int as $$ select 1 $$ language sql;
