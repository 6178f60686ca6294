select 12;
