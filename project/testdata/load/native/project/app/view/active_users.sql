-- tandem:object depends=app.users
create view active_users as
select * from users;
