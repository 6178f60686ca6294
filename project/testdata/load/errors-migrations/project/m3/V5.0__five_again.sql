select 5;
