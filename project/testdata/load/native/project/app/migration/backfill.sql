-- tandem:change fill transaction=on
update users set email = 'x';
