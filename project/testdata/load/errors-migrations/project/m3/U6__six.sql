select 6;
