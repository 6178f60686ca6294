-- Revert shelf:authors from pg

drop table authors;
