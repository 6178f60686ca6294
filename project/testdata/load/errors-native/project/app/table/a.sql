-- tandem:change one depnds=x
select 1;
-- tandem:chnage two
select 2;
-- tandem:change one
select 3;
-- tandem:change transaction=off
select 4;
-- tandem:change empty
-- tandem:change bad transaction=maybe
select 5;
-- tandem:change bad2 envs=
select 6;
-- tandem:change bad3 dialects=oracle
select 7;
-- tandem:change bad4 depends=a.b.c.d
select 8;
-- tandem:change bad5 envs=a envs=b
select 9;
-- tandem:change bad6 "unterminated
select 10;
-- tandem:change bad7
select 11;
-- tandem:rollback
undo;
-- tandem:rollback again
-- tandem:rollback
undo again;
-- tandem:change bad8 depends=app.nosuchtype.x
select 12;
-- tandem:change bad9 inactive=perhaps
select 13;
-- tandem:change a/b
select 14;
