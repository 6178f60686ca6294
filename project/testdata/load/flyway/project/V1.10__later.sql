select 110;
