--liquibase formatted sql

--changeset ada:views-1 runOnChange:true
create or replace view author_names as select name from authors;

--changeset ada:fn splitStatements:false dbms:postgresql
create function author_count() returns bigint language plpgsql as $$
begin
  return (select count(*) from authors);
end;
$$;

--changeset ada:stamp runAlways:true context:!prod
update authors set name = name where 1 = 0;

--changeset ada:proc endDelimiter:/ dbms:mysql,mariadb
create procedure p1() begin select 1; end
/

create procedure p2() begin select 2; end
/
/* liquibase rollback
drop procedure p1;
drop procedure p2;
*/
