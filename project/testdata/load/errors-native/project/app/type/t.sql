-- tandem:object envs="a
create type t as enum ('a');
