-- Orders and spend per customer. Edit this file and deploy again: tandem drops and recreates
-- it, and every view built on it.
create view customer_totals as
select c.id, c.email, count(o.id) as orders, coalesce(sum(o.total), 0) as total
from customers c
left join orders o on o.customer_id = c.id
group by c.id, c.email;
