-- tandem:change create
create table orders (
    id integer primary key,
    customer_id integer not null references customers (id),
    total decimal(10, 2) not null,
    placed_at timestamp not null
);
-- tandem:rollback
drop table orders;

-- tandem:change by_customer
create index orders_by_customer on orders (customer_id);
-- tandem:rollback
drop index orders_by_customer;
