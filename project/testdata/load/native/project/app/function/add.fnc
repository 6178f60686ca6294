/* adds
   two numbers */
create function add(a int, b int) returns int as $$ select a + b $$ language sql;
