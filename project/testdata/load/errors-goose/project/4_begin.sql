-- +goose Up
-- +goose StatementBegin
select 1;
-- +goose StatementBegin
-- +goose Down
-- +goose StatementEnd
