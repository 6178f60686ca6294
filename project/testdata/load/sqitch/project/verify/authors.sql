-- Verify shelf:authors on pg

select id, name from authors where false;
