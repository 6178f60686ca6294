-- a leading comment is fine
-- +goose NO TRANSACTION
-- +goose Up
-- +goose StatementBegin
create function f() returns int as $$
begin return 1; end;
$$ language plpgsql;
-- +goose StatementEnd
create index concurrently i on t (x);

-- +goose Down
drop function f();
