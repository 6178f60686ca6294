-- Users of the application.
-- tandem:object envs=prod,qa exclude-dialects=sqlite

-- tandem:change create
create table users (id int primary key);
-- tandem:rollback
drop table users;

-- tandem:change add_email depends+=audit.log transaction=off
alter table users add column email text;

-- tandem:rollback

alter table users drop column email;


-- tandem:change "email idx" depends="audit.log, app.table.countries" rebaseline=old1,old2
create index users_email on users (email);
-- tandem:change old inactive
-- tandem:change gone drop=true depends=
drop table users;
-- tandem:change Tag depends-=app.v/view1 inactive=false dialects=postgres,my* exclude-envs=prod
select 1;
