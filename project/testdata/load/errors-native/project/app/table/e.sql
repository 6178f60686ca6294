select 1;
-- tandem:object envs=x
-- tandem:object envs=y
