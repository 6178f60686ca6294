create view big_customers as
select id, email, total from customer_totals where total > 1000;
